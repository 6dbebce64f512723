"""Console and resident-portal views: thin; reads go through selectors, writes through services."""
