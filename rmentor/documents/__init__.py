"""Wing 4 · pure: results → bytes (Markdown, HTML, PDF, .ics, SVG)."""
