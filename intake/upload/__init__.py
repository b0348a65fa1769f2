"""Step 1-2 of an upload: checks before anything is stored, the blob, the row, the first evidence event and the
job, committed together (:mod:`.service`, :mod:`.committer`).
"""
