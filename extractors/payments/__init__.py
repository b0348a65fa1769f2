"""Payment platform records (Alipay, WeChat Pay): their exports and PDF proofs read into one shape."""
