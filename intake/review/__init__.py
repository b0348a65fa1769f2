"""Step 10: reviewers, their sessions, their corrections (new versions, never overwrites) and decisions."""
