"""The parts of the pasted-text cleaner: line features, boilerplate cues, main-block search."""
