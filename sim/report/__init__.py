"""Presenting results: terminal tables, HTML and Markdown pages, plots, the STRESS-DES checklist,
progress bars and safe writing of results directories."""
