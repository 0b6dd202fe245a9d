"""Understanding French: folding and tokenizing, lemmas, analysis, matching."""
