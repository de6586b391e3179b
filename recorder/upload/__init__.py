"""Run documents to S3-compatible object storage."""
