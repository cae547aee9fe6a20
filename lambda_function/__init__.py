"""The DynamoDB warmer Lambda: one tiny request per scaled dimension per tick."""
