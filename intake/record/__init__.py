"""Step 8: the public shape of a document and of an application, their versions, and the hash-chained evidence of
every state change.
"""
