"""Imaging (OpenCV): decoding uploads, finding and flattening cards, orientation, quality."""
