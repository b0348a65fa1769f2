"""Where everything is kept: the database (tables, sessions, migrations), the blob store (a folder or S3) and the
keys that seal blobs at rest.
"""
