"""Build (pure: data -> digest objects) and render (HTML, text, ...) what the office reads."""
