# Java binding: placeholder, being written.
.PHONY: java check-java examples-java clean-java
java:
check-java:
examples-java:
clean-java:
