"""Running the service over time: retention and deletion of personal data, the demo."""
