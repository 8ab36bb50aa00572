"""`python -m bench`: run every benchmark (each also runs alone: `python -m bench.<name>`)."""

from bench import extraction

if __name__ == "__main__":
    extraction.main()
