"""Block storage: cached RDD partitions and shuffle files, addressed by block id."""
