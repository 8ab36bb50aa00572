"""Plain-text tools any engine uses: sentences, chunks of an article, and retrieval
(BM25 over sentences and chunks). No model, no I/O."""
