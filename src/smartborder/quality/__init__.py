"""Data quality: findings on poor but usable data, a score per consignment and per submitter, and
requests for information (RFI) where the data is too poor to assess."""
