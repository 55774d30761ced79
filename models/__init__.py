"""Go's semantics as pure functions over immutable states."""
