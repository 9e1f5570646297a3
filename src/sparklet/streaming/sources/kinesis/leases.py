"""The lease table: the Kinesis Client Library's DynamoDB table, one item per shard.

Each item is keyed by ``leaseKey`` (the shard id) and holds ``leaseOwner`` (the receiver
holding the shard), ``leaseCounter`` (bumped by the owner on every renewal: a lease whose
counter has not moved for the failover time is expired and may be taken), ``checkpoint``
(the sequence number of the last record stored, or ``TRIM_HORIZON`` / ``LATEST`` before
the first, or ``SHARD_END`` once a closed shard has been read to its end) and
``parentShardIds``. Every change is a conditional write, so two receivers never both hold
a shard: whoever loses the race sees ``ConditionalCheckFailedException``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Lease", "LeaseTable", "SHARD_END", "TRIM_HORIZON", "LATEST"]

SHARD_END, TRIM_HORIZON, LATEST = "SHARD_END", "TRIM_HORIZON", "LATEST"


@dataclass
class Lease:
    shard_id: str
    owner: str | None
    counter: int
    checkpoint: str
    parents: list[str] = field(default_factory=list)

    @classmethod
    def from_item(cls, item: dict) -> Lease:
        return cls(item["leaseKey"]["S"], item.get("leaseOwner", {}).get("S"),
                   int(item.get("leaseCounter", {"N": "0"})["N"]),
                   item.get("checkpoint", {"S": TRIM_HORIZON})["S"],
                   sorted(item.get("parentShardIds", {}).get("SS", [])))


def _failed(error: Exception) -> bool:
    """Whether ``error`` is a conditional write that lost its race."""
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code == "ConditionalCheckFailedException"


class LeaseTable:
    """The table named ``name`` through the boto3 DynamoDB client ``dynamodb``."""

    def __init__(self, dynamodb: Any, name: str):
        self.db = dynamodb
        self.name = name

    def ensure(self, timeout: float = 60.0) -> None:
        """Create the table if it does not exist (another receiver may create it at the
        same time) and wait until it is active."""
        try:
            self.db.create_table(
                TableName=self.name, BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}])
        except self.db.exceptions.ResourceInUseException:
            pass
        deadline = time.monotonic() + timeout
        while self.db.describe_table(TableName=self.name)["Table"]["TableStatus"] != "ACTIVE":
            if time.monotonic() > deadline:
                raise TimeoutError(f"lease table {self.name} did not become ACTIVE")
            time.sleep(0.5)

    def all(self) -> dict[str, Lease]:
        leases: dict[str, Lease] = {}
        kwargs: dict = {"TableName": self.name, "ConsistentRead": True}
        while True:
            page = self.db.scan(**kwargs)
            for item in page.get("Items", []):
                lease = Lease.from_item(item)
                leases[lease.shard_id] = lease
            if "LastEvaluatedKey" not in page:
                return leases
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def create(self, shard_id: str, checkpoint: str, parents: list[str]) -> None:
        """A new, unowned lease for ``shard_id`` unless one exists."""
        item: dict = {"leaseKey": {"S": shard_id}, "leaseCounter": {"N": "0"},
                      "checkpoint": {"S": checkpoint}}
        if parents:
            item["parentShardIds"] = {"SS": parents}
        try:
            self.db.put_item(TableName=self.name, Item=item,
                             ConditionExpression="attribute_not_exists(leaseKey)")
        except Exception as e:
            if not _failed(e):
                raise

    def take(self, lease: Lease, owner: str) -> bool:
        """Take ``lease`` (as last seen) for ``owner``; False if it changed meanwhile."""
        try:
            self.db.update_item(
                TableName=self.name, Key={"leaseKey": {"S": lease.shard_id}},
                UpdateExpression="SET leaseOwner = :o, leaseCounter = :n",
                ConditionExpression="leaseCounter = :c",
                ExpressionAttributeValues={":o": {"S": owner}, ":c": {"N": str(lease.counter)},
                                           ":n": {"N": str(lease.counter + 1)}})
        except Exception as e:
            if _failed(e):
                return False
            raise
        lease.owner, lease.counter = owner, lease.counter + 1
        return True

    def renew(self, lease: Lease, owner: str) -> bool:
        """Bump the counter of a lease ``owner`` holds; False if it was taken away."""
        return lease.owner == owner and self.take(lease, owner)

    def checkpoint(self, shard_id: str, owner: str, checkpoint: str) -> bool:
        """Record ``checkpoint`` for a shard ``owner`` holds; False if it no longer does."""
        try:
            self.db.update_item(
                TableName=self.name, Key={"leaseKey": {"S": shard_id}},
                UpdateExpression="SET checkpoint = :s",
                ConditionExpression="leaseOwner = :o",
                ExpressionAttributeValues={":o": {"S": owner}, ":s": {"S": checkpoint}})
        except Exception as e:
            if _failed(e):
                return False
            raise
        return True

    def release(self, lease: Lease, owner: str) -> None:
        """Give a lease up (on a clean stop), so the next receiver takes it at once."""
        try:
            self.db.update_item(
                TableName=self.name, Key={"leaseKey": {"S": lease.shard_id}},
                UpdateExpression="REMOVE leaseOwner SET leaseCounter = :n",
                ConditionExpression="leaseOwner = :o",
                ExpressionAttributeValues={":o": {"S": owner},
                                           ":n": {"N": str(lease.counter + 1)}})
        except Exception as e:
            if not _failed(e):
                raise
