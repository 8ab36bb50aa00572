"""Reading an article out of an HTML page: `extract.extract_html` (trafilatura and our
boundary fixes), the page's metadata, author and blocks. Kept free of imports so that
the paste path can use `trim` without loading trafilatura."""
