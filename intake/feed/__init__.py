"""Step 9: finished records out to the scoring service: the feed with its cursors and consumers, and the signed
webhook pushes.
"""
