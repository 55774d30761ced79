// Package shop is the root of a small module that python -m checker test ./... checks.
package shop

// Version is the module's version string.
const Version = "0.1.0"
