"""Processing provider that registers the algorithms in processing_scripts/."""
