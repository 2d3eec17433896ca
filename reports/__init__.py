"""Build (pure: data -> digest objects) and render (HTML, text, e-mail, DOCX) what the office reads."""
