"""Where the real recordings come from: Debian data packages (fetched, labelled by reviewed rules,
checked), the desktop sound themes, and their provenance. `listen corpus sources` drives it."""
