"""Terraform input: HCL folders (and later plans) read into the same ARM-shaped resources the
ARM converters turn into the model."""
