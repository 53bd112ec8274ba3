"""Every report of SPEC section 8, registered with reports.base.register."""
