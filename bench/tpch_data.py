"""A TPC-H-style data generator: the 8 tables as parquet files, numpy-vectorised and seeded.

This is not dbgen (which cannot be downloaded here, nor can DuckDB's tpch extension), but it
follows the TPC-H specification's schemas, cardinalities and value rules closely enough that
the 22 queries return non-trivial, spec-like results:

* cardinalities: region 5, nation 25, supplier SF*10k, part SF*200k, partsupp 4 per part,
  customer SF*150k, orders SF*1.5M (sparse keys: 8 of every 32), lineitem 1..7 per order
  (about SF*6M);
* every third customer places no orders; a line's supplier is one of its part's 4 partsupp
  suppliers; p_retailprice follows the spec's formula and l_extendedprice = quantity * price;
* dates: o_orderdate uniform in 1992-01-01 .. 1998-12-31 minus 151 days, shipdate = orderdate
  + 1..121, commitdate = orderdate + 30..90, receiptdate = shipdate + 1..30; l_returnflag is
  R or A when received by 1995-06-17 (CURRENTDATE) and N after it, l_linestatus O when shipped
  after it and F otherwise, o_orderstatus F / O / P from its lines, o_totalprice the sum of
  extendedprice * (1 + tax) * (1 - discount);
* the spec's lists: nation and region names, market segments, order priorities, part types,
  containers, colours of p_name, ship modes and instructions; comments are random substrings
  of a pool of sentences made from the spec's word classes (as dbgen's are), so LIKE filters
  such as '%special%requests%' or '%Customer%Complaints%' match a realistic share of rows.

Money columns are DECIMAL(15,2) and dates DATE, as in the spec; keys are BIGINT.

Generation is deterministic: one seed, an independent random stream per table (per chunk of
orders for orders and lineitem), so the files depend only on (scale factor, seed, version).
``ensure_tpch(sf)`` generates once into ``~/.cache/sparklet/tpch-sf<SF>/`` and reuses it.

    python bench/tpch_data.py --sf 0.1           # generate (or find) the SF 0.1 data
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

GENERATOR_VERSION = 1  # bump when the output changes, so cached data is regenerated
DEFAULT_SEED = 19920101
CACHE_ROOT = Path.home() / ".cache" / "sparklet"
TABLES = ("region", "nation", "supplier", "part", "partsupp", "customer", "orders", "lineitem")
ORDERS_PER_CHUNK = 250_000  # a fixed constant: it is part of what the seed determines
ROW_GROUP_ROWS = 1 << 20

EPOCH = np.datetime64("1970-01-01", "D")
START_DATE = int((np.datetime64("1992-01-01") - EPOCH).astype(int))
END_DATE = int((np.datetime64("1998-12-31") - EPOCH).astype(int))
CURRENT_DATE = int((np.datetime64("1995-06-17") - EPOCH).astype(int))

MONEY = pa.decimal128(15, 2)
KEY = pa.int64()

SCHEMAS: dict[str, pa.Schema] = {
    "region": pa.schema([("r_regionkey", KEY), ("r_name", pa.string()),
                         ("r_comment", pa.string())]),
    "nation": pa.schema([("n_nationkey", KEY), ("n_name", pa.string()),
                         ("n_regionkey", KEY), ("n_comment", pa.string())]),
    "supplier": pa.schema([("s_suppkey", KEY), ("s_name", pa.string()),
                           ("s_address", pa.string()), ("s_nationkey", KEY),
                           ("s_phone", pa.string()), ("s_acctbal", MONEY),
                           ("s_comment", pa.string())]),
    "part": pa.schema([("p_partkey", KEY), ("p_name", pa.string()), ("p_mfgr", pa.string()),
                       ("p_brand", pa.string()), ("p_type", pa.string()),
                       ("p_size", pa.int32()), ("p_container", pa.string()),
                       ("p_retailprice", MONEY), ("p_comment", pa.string())]),
    "partsupp": pa.schema([("ps_partkey", KEY), ("ps_suppkey", KEY),
                           ("ps_availqty", pa.int32()), ("ps_supplycost", MONEY),
                           ("ps_comment", pa.string())]),
    "customer": pa.schema([("c_custkey", KEY), ("c_name", pa.string()),
                           ("c_address", pa.string()), ("c_nationkey", KEY),
                           ("c_phone", pa.string()), ("c_acctbal", MONEY),
                           ("c_mktsegment", pa.string()), ("c_comment", pa.string())]),
    "orders": pa.schema([("o_orderkey", KEY), ("o_custkey", KEY),
                         ("o_orderstatus", pa.string()), ("o_totalprice", MONEY),
                         ("o_orderdate", pa.date32()), ("o_orderpriority", pa.string()),
                         ("o_clerk", pa.string()), ("o_shippriority", pa.int32()),
                         ("o_comment", pa.string())]),
    "lineitem": pa.schema([("l_orderkey", KEY), ("l_partkey", KEY), ("l_suppkey", KEY),
                           ("l_linenumber", pa.int32()), ("l_quantity", MONEY),
                           ("l_extendedprice", MONEY), ("l_discount", MONEY),
                           ("l_tax", MONEY), ("l_returnflag", pa.string()),
                           ("l_linestatus", pa.string()), ("l_shipdate", pa.date32()),
                           ("l_commitdate", pa.date32()), ("l_receiptdate", pa.date32()),
                           ("l_shipinstruct", pa.string()), ("l_shipmode", pa.string()),
                           ("l_comment", pa.string())]),
}

# --------------------------------------------------------------------------------------------
# The specification's fixed lists
# --------------------------------------------------------------------------------------------

REGIONS = ("AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST")
NATIONS = (  # (name, region key), in nation-key order
    ("ALGERIA", 0), ("ARGENTINA", 1), ("BRAZIL", 1), ("CANADA", 1), ("EGYPT", 4),
    ("ETHIOPIA", 0), ("FRANCE", 3), ("GERMANY", 3), ("INDIA", 2), ("INDONESIA", 2),
    ("IRAN", 4), ("IRAQ", 4), ("JAPAN", 2), ("JORDAN", 4), ("KENYA", 0),
    ("MOROCCO", 0), ("MOZAMBIQUE", 0), ("PERU", 1), ("CHINA", 2), ("ROMANIA", 3),
    ("SAUDI ARABIA", 4), ("VIETNAM", 2), ("RUSSIA", 3), ("UNITED KINGDOM", 3),
    ("UNITED STATES", 1),
)
SEGMENTS = ("AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD")
PRIORITIES = ("1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW")
SHIP_INSTRUCT = ("DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN")
SHIP_MODES = ("REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB")
TYPE_SYLLABLES = (
    ("STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"),
    ("ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"),
    ("TIN", "NICKEL", "BRASS", "STEEL", "COPPER"),
)
CONTAINER_SYLLABLES = (
    ("SM", "LG", "MED", "JUMBO", "WRAP"),
    ("CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"),
)
COLORS = (
    "almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood "
    "burnished chartreuse chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim "
    "dodger drab firebrick floral forest frosted gainsboro ghost goldenrod green grey honeydew "
    "hot indian ivory khaki lace lavender lawn lemon light lime linen magenta maroon medium "
    "metallic midnight mint misty moccasin navajo navy olive orange orchid pale papaya peach "
    "peru pink plum powder puff purple red rose rosy royal saddle salmon sandy seashell sienna "
    "sky slate smoke snow spring steel tan thistle tomato turquoise violet wheat white yellow"
).split()

# Word classes of the spec's text grammar (4.2.2.10), used to build the comment pool.
NOUNS = (
    "packages requests accounts deposits foxes ideas theodolites pinto_beans instructions "
    "dependencies excuses platelets asymptotes courts dolphins multipliers sauternes warthogs "
    "frets dinos attainments somas Tiresias' patterns forges braids hockey_players frays "
    "warhorses dugouts notornis epitaphs pearls tithes waters orbits gifts sheaves depths "
    "sentiments decoys realms pains grouches escapades"
).replace("_", " ").split(" ")
VERBS = (
    "sleep wake are cajole haggle nag use boost affix detect integrate maintain nod was lose "
    "sublate solve thrash promise engage hinder print x-ray breach eat grow impress mold poach "
    "serve run dazzle snooze doze unwind kindle play hang believe doubt"
).split()
ADJECTIVES = (
    "special pending unusual express furious sly careful blithe quick fluffy slow quiet "
    "ruthless thin close dogged daring brave stealthy permanent enticing idle busy regular "
    "final ironic even bold silent"
).split()
ADVERBS = (
    "sometimes always never furiously slyly carefully blithely quickly fluffily slowly "
    "quietly ruthlessly thinly closely doggedly daringly bravely stealthily permanently "
    "enticingly idly busily regularly finally ironically evenly boldly silently"
).split()
PREPOSITIONS = (
    "about above according_to across after against along alongside_of among around at atop "
    "before behind beneath beside besides between beyond by despite during except for from "
    "in_place_of inside instead_of into near of on outside over past since through "
    "throughout to toward under until up upon without with within"
).replace("_", " ").split(" ")
AUXILIARIES = (
    "do may might shall will would can could should ought_to must will_have_to shall_have_to "
    "could_have_to should_have_to must_have_to need_to try_to"
).replace("_", " ").split(" ")
TERMINATORS = (".", ";", ":", "?", "!", "--")

TEXT_POOL_BYTES = 8 << 20
ADDRESS_CHARS = np.frombuffer(
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,     ", dtype=np.uint8)


# --------------------------------------------------------------------------------------------
# Vectorised column builders
# --------------------------------------------------------------------------------------------


def _money(cents: np.ndarray) -> pa.Array:
    """DECIMAL(15,2) from integer cents, built from the buffer (no per-value Python work).

    Arrow's decimal128 is a 16-byte little-endian two's-complement integer: the low word is
    the value, the high word its sign extension.
    """
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(MONEY, len(cents), [None, pa.py_buffer(words.tobytes())])


def _dates(days: np.ndarray) -> pa.Array:
    """DATE from days since 1970-01-01."""
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.date32())


def _pick(values: tuple[str, ...] | list[str], idx: np.ndarray) -> pa.Array:
    """Strings ``values[idx]`` as an Arrow string column (a take, not a Python loop)."""
    return pc.take(pa.array(list(values), pa.string()), pa.array(idx, pa.int32()))


def _numbered(prefix: str, numbers: np.ndarray, width: int = 9) -> pa.Array:
    """'Supplier#000000042'-style names: the prefix and the zero-padded number."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _substrings(pool: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """Strings ``pool[start:start + length]`` for every row, gathered in one numpy index.

    The pool is ASCII, so bytes are characters and the result is valid UTF-8.
    """
    lengths = lengths.astype(np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    # position k of the output comes from pool[starts[row] + (k - offsets[row])]
    shift = np.repeat(starts.astype(np.int64) - offsets[:-1], lengths)
    data = pool[shift + np.arange(total, dtype=np.int64)]
    return pa.Array.from_buffers(pa.large_string(), len(lengths),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())]
                                 ).cast(pa.string())


class _Text:
    """Random text of the spec's grammar: a seeded pool and random substrings of it."""

    def __init__(self, seed: int, pool_bytes: int = TEXT_POOL_BYTES) -> None:
        rng = np.random.default_rng([seed, 0x7E47])
        self.pool = np.frombuffer(self._sentences(rng, pool_bytes).encode("ascii"),
                                  dtype=np.uint8)
        self.address_pool = ADDRESS_CHARS[rng.integers(0, len(ADDRESS_CHARS), 1 << 20)]

    @staticmethod
    def _sentences(rng: np.random.Generator, size: int) -> str:
        """Sentences of the grammar's shapes, joined, at least ``size`` bytes long.

        Each sentence is: [adverb-less noun phrase] [verb phrase] [prepositional phrase]
        terminator, with optional adjectives, adverbs and auxiliaries, which is the spirit of
        the spec's grammar without its full tree of alternatives.
        """
        n = size // 40 + 16
        cols = {name: rng.integers(0, len(words), n) for name, words in (
            ("adj", ADJECTIVES), ("noun", NOUNS), ("aux", AUXILIARIES), ("verb", VERBS),
            ("adv", ADVERBS), ("prep", PREPOSITIONS), ("adj2", ADJECTIVES),
            ("noun2", NOUNS), ("term", TERMINATORS))}
        shape = rng.integers(0, 4, n)
        parts: list[str] = []
        for i in range(n):
            noun = NOUNS[cols["noun"][i]]
            s = shape[i]
            if s == 0:
                words = [ADJECTIVES[cols["adj"][i]], noun, VERBS[cols["verb"][i]]]
            elif s == 1:
                words = [ADJECTIVES[cols["adj"][i]], noun, VERBS[cols["verb"][i]],
                         ADVERBS[cols["adv"][i]]]
            elif s == 2:
                words = [noun, AUXILIARIES[cols["aux"][i]], VERBS[cols["verb"][i]],
                         ADVERBS[cols["adv"][i]], PREPOSITIONS[cols["prep"][i]], "the",
                         ADJECTIVES[cols["adj2"][i]], NOUNS[cols["noun2"][i]]]
            else:
                words = [ADJECTIVES[cols["adj"][i]], ADJECTIVES[cols["adj2"][i]], noun,
                         VERBS[cols["verb"][i]], PREPOSITIONS[cols["prep"][i]], "the",
                         NOUNS[cols["noun2"][i]]]
            parts.append(" ".join(words) + TERMINATORS[cols["term"][i]])
        text = " ".join(parts)
        while len(text) < size:
            text = text + " " + text
        return text

    def comments(self, rng: np.random.Generator, n: int, lo: int, hi: int) -> pa.Array:
        """``n`` comments of lo..hi characters (uniform), as dbgen: substrings of the pool."""
        lengths = rng.integers(lo, hi + 1, n)
        starts = rng.integers(0, len(self.pool) - hi, n)
        return _substrings(self.pool, starts, lengths)

    def addresses(self, rng: np.random.Generator, n: int) -> pa.Array:
        """The spec's random v-strings of 10..40 characters."""
        lengths = rng.integers(10, 41, n)
        starts = rng.integers(0, len(self.address_pool) - 40, n)
        return _substrings(self.address_pool, starts, lengths)


def _phones(rng: np.random.Generator, nationkeys: np.ndarray) -> pa.Array:
    """'CC-LLL-LLL-LLLL' with country code nationkey + 10 (what Q22 reads back)."""
    n = len(nationkeys)
    parts = [pc.cast(pa.array(nationkeys + 10), pa.string()),
             pc.cast(pa.array(rng.integers(100, 1000, n)), pa.string()),
             pc.cast(pa.array(rng.integers(100, 1000, n)), pa.string()),
             pc.cast(pa.array(rng.integers(1000, 10000, n)), pa.string())]
    return pc.binary_join_element_wise(*parts, "-")


def retail_price_cents(partkey: np.ndarray) -> np.ndarray:
    """p_retailprice in cents, the spec's formula (4.2.3): a function of the key alone."""
    partkey = np.asarray(partkey, dtype=np.int64)
    return 90000 + (partkey // 10) % 20001 + 100 * (partkey % 1000)


def partsupp_suppkey(partkey: np.ndarray, i: np.ndarray | int, suppliers: int,
                     parts: int) -> np.ndarray:
    """The i-th (0..3) supplier of a part, the spec's formula, so lines and partsupp agree.

    Below SF ~0.03 the formula's step can wrap around and give a part the same supplier twice
    (a duplicate partsupp key); there the step is the plain ``suppliers // 4``.
    """
    partkey = np.asarray(partkey, dtype=np.int64)
    step = suppliers // 4
    if 3 * (step + (parts - 1) // suppliers) < suppliers:
        step = step + (partkey - 1) // suppliers
    return (partkey + i * step) % suppliers + 1


def order_key(index: np.ndarray) -> np.ndarray:
    """The sparse o_orderkey of the index-th order (0-based): 8 keys used in every 32."""
    index = np.asarray(index, dtype=np.int64)
    return (index // 8) * 32 + index % 8 + 1


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


class _Scale:
    """Row counts at a scale factor (at least one row of each scaled table)."""

    def __init__(self, sf: float) -> None:
        if sf <= 0:
            raise ValueError(f"scale factor must be positive, got {sf}")
        self.sf = sf
        self.suppliers = max(4, round(sf * 10_000))  # >= 4: a part has 4 distinct suppliers
        self.parts = max(1, round(sf * 200_000))
        self.customers = max(3, round(sf * 150_000))
        self.orders = max(1, round(sf * 1_500_000))
        self.clerks = max(1, round(sf * 1_000))


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    return pa.Table.from_arrays(list(columns.values()), schema=SCHEMAS[name])


def _region_nation(text: _Text, rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    region = _table("region", {
        "r_regionkey": pa.array(np.arange(5), KEY), "r_name": pa.array(REGIONS),
        "r_comment": text.comments(rng, 5, 31, 115)})
    nation = _table("nation", {
        "n_nationkey": pa.array(np.arange(25), KEY),
        "n_name": pa.array([n for n, _ in NATIONS]),
        "n_regionkey": pa.array([r for _, r in NATIONS], KEY),
        "n_comment": text.comments(rng, 25, 31, 114)})
    return region, nation


def _supplier(scale: _Scale, text: _Text, rng: np.random.Generator) -> pa.Table:
    n = scale.suppliers
    keys = np.arange(1, n + 1, dtype=np.int64)
    nationkeys = rng.integers(0, 25, n)
    comments = text.comments(rng, n, 25, 100).to_pylist()
    # The spec plants SF*5 'Customer ... Complaints' and SF*5 'Customer ... Recommends'
    # comments (Q16 excludes the complaining suppliers).
    special = max(1, round(scale.sf * 5))
    chosen = rng.choice(n, size=min(n, 2 * special), replace=False)
    for j, row in enumerate(chosen):
        word = "Complaints" if j < special else "Recommends"
        c = comments[row]
        cut = int(rng.integers(0, max(1, len(c) - 20)))
        comments[row] = (c[:cut] + "Customer " + word + c[cut:])[:100]
    return _table("supplier", {
        "s_suppkey": pa.array(keys), "s_name": _numbered("Supplier#", keys),
        "s_address": text.addresses(rng, n), "s_nationkey": pa.array(nationkeys, KEY),
        "s_phone": _phones(rng, nationkeys),
        "s_acctbal": _money(rng.integers(-99_999, 1_000_000, n)),
        "s_comment": pa.array(comments, pa.string())})


def _part(scale: _Scale, text: _Text, rng: np.random.Generator) -> pa.Table:
    n = scale.parts
    keys = np.arange(1, n + 1, dtype=np.int64)
    # p_name: 5 distinct colours; redraw the rows that drew a colour twice until none do.
    names = rng.integers(0, len(COLORS), (n, 5))
    while True:
        s = np.sort(names, axis=1)
        dup = (s[:, 1:] == s[:, :-1]).any(axis=1)
        if not dup.any():
            break
        names[dup] = rng.integers(0, len(COLORS), (int(dup.sum()), 5))
    color_arr = pa.array(COLORS)
    p_name = pc.binary_join_element_wise(
        *(pc.take(color_arr, pa.array(names[:, k])) for k in range(5)), " ")
    mfgr = rng.integers(1, 6, n)
    brand = mfgr * 10 + rng.integers(1, 6, n)
    types = [f"{a} {b} {c}" for a in TYPE_SYLLABLES[0] for b in TYPE_SYLLABLES[1]
             for c in TYPE_SYLLABLES[2]]
    containers = [f"{a} {b}" for a in CONTAINER_SYLLABLES[0] for b in CONTAINER_SYLLABLES[1]]
    return _table("part", {
        "p_partkey": pa.array(keys), "p_name": p_name,
        "p_mfgr": pc.binary_join_element_wise(
            "Manufacturer#", pc.cast(pa.array(mfgr), pa.string()), ""),
        "p_brand": pc.binary_join_element_wise(
            "Brand#", pc.cast(pa.array(brand), pa.string()), ""),
        "p_type": _pick(types, rng.integers(0, len(types), n)),
        "p_size": pa.array(rng.integers(1, 51, n), pa.int32()),
        "p_container": _pick(containers, rng.integers(0, len(containers), n)),
        "p_retailprice": _money(retail_price_cents(keys)),
        "p_comment": text.comments(rng, n, 5, 22)})


def _partsupp(scale: _Scale, text: _Text, rng: np.random.Generator) -> pa.Table:
    parts = np.repeat(np.arange(1, scale.parts + 1, dtype=np.int64), 4)
    i = np.tile(np.arange(4, dtype=np.int64), scale.parts)
    n = len(parts)
    return _table("partsupp", {
        "ps_partkey": pa.array(parts),
        "ps_suppkey": pa.array(partsupp_suppkey(parts, i, scale.suppliers, scale.parts)),
        "ps_availqty": pa.array(rng.integers(1, 10_000, n), pa.int32()),
        "ps_supplycost": _money(rng.integers(100, 100_001, n)),
        "ps_comment": text.comments(rng, n, 49, 198)})


def _customer(scale: _Scale, text: _Text, rng: np.random.Generator) -> pa.Table:
    n = scale.customers
    keys = np.arange(1, n + 1, dtype=np.int64)
    nationkeys = rng.integers(0, 25, n)
    return _table("customer", {
        "c_custkey": pa.array(keys), "c_name": _numbered("Customer#", keys),
        "c_address": text.addresses(rng, n), "c_nationkey": pa.array(nationkeys, KEY),
        "c_phone": _phones(rng, nationkeys),
        "c_acctbal": _money(rng.integers(-99_999, 1_000_000, n)),
        "c_mktsegment": _pick(SEGMENTS, rng.integers(0, len(SEGMENTS), n)),
        "c_comment": text.comments(rng, n, 29, 116)})


def _orders_lineitem(scale: _Scale, text: _Text, rng: np.random.Generator,
                     first: int, count: int) -> tuple[pa.Table, pa.Table]:
    """Orders ``first .. first + count - 1`` (0-based indices) and all their lines."""
    okeys = order_key(np.arange(first, first + count))
    # o_custkey: uniform over the customers whose key is not a multiple of 3.
    eligible = scale.customers - scale.customers // 3
    j = rng.integers(0, eligible, count)
    custkeys = j + j // 2 + 1  # the j-th positive integer not divisible by 3
    orderdate = rng.integers(START_DATE, END_DATE - 151 + 1, count)

    nlines = rng.integers(1, 8, count)
    total = int(nlines.sum())
    order_of_line = np.repeat(np.arange(count), nlines)
    line_start = np.zeros(count, dtype=np.int64)
    np.cumsum(nlines[:-1], out=line_start[1:])
    linenumber = np.arange(total, dtype=np.int64) - line_start[order_of_line] + 1

    partkey = rng.integers(1, scale.parts + 1, total)
    suppkey = partsupp_suppkey(partkey, rng.integers(0, 4, total), scale.suppliers,
                               scale.parts)
    quantity = rng.integers(1, 51, total)
    extprice = quantity * retail_price_cents(partkey)  # cents
    discount = rng.integers(0, 11, total)  # hundredths
    tax = rng.integers(0, 9, total)
    l_orderdate = orderdate[order_of_line]
    shipdate = l_orderdate + rng.integers(1, 122, total)
    commitdate = l_orderdate + rng.integers(30, 91, total)
    receiptdate = shipdate + rng.integers(1, 31, total)
    returned = rng.integers(0, 2, total)  # R or A, for the lines already received
    returnflag = np.where(receiptdate <= CURRENT_DATE, returned, 2)  # 0 R, 1 A, 2 N
    shipped = shipdate <= CURRENT_DATE  # F, else O

    # o_totalprice: sum of extendedprice * (1 + tax) * (1 - discount), rounded to cents.
    line_total = (extprice * (100 + tax) * (100 - discount) + 5000) // 10000
    totalprice = np.add.reduceat(line_total, line_start)
    finished = np.add.reduceat(shipped.astype(np.int64), line_start)
    status = np.where(finished == nlines, 0, np.where(finished == 0, 1, 2))  # F, O, P

    orders = _table("orders", {
        "o_orderkey": pa.array(okeys), "o_custkey": pa.array(custkeys, KEY),
        "o_orderstatus": _pick(("F", "O", "P"), status),
        "o_totalprice": _money(totalprice), "o_orderdate": _dates(orderdate),
        "o_orderpriority": _pick(PRIORITIES, rng.integers(0, len(PRIORITIES), count)),
        "o_clerk": _numbered("Clerk#", rng.integers(1, scale.clerks + 1, count)),
        "o_shippriority": pa.array(np.zeros(count, dtype=np.int32)),
        "o_comment": text.comments(rng, count, 19, 78)})
    lineitem = _table("lineitem", {
        "l_orderkey": pa.array(okeys[order_of_line]), "l_partkey": pa.array(partkey, KEY),
        "l_suppkey": pa.array(suppkey, KEY),
        "l_linenumber": pa.array(linenumber, pa.int32()),
        "l_quantity": _money(quantity * 100), "l_extendedprice": _money(extprice),
        "l_discount": _money(discount), "l_tax": _money(tax),
        "l_returnflag": _pick(("R", "A", "N"), returnflag),
        "l_linestatus": _pick(("O", "F"), shipped.astype(np.int64)),
        "l_shipdate": _dates(shipdate), "l_commitdate": _dates(commitdate),
        "l_receiptdate": _dates(receiptdate),
        "l_shipinstruct": _pick(SHIP_INSTRUCT, rng.integers(0, len(SHIP_INSTRUCT), total)),
        "l_shipmode": _pick(SHIP_MODES, rng.integers(0, len(SHIP_MODES), total)),
        "l_comment": text.comments(rng, total, 10, 43)})
    return orders, lineitem


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def data_dir(sf: float, root: Path | None = None) -> Path:
    """``<root>/tpch-sf<SF>`` (root: ~/.cache/sparklet), e.g. tpch-sf1, tpch-sf0.1."""
    return (CACHE_ROOT if root is None else Path(root)) / f"tpch-sf{sf:g}"


def table_paths(directory: Path) -> dict[str, Path]:
    """The parquet file of each table in a generated directory."""
    return {t: Path(directory) / f"{t}.parquet" for t in TABLES}


def _manifest(sf: float, seed: int) -> dict[str, object]:
    return {"generator_version": GENERATOR_VERSION, "sf": sf, "seed": seed}


def generate(sf: float, out_dir: Path, seed: int = DEFAULT_SEED,
             log: Callable[[str], None] = print) -> dict[str, int]:
    """Write the 8 tables at scale factor ``sf`` into ``out_dir``; return their row counts.

    Orders and lineitem are generated and written chunk by chunk (``ORDERS_PER_CHUNK``
    orders at a time), so memory stays bounded at any scale factor.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scale = _Scale(sf)
    streams = np.random.SeedSequence([seed, GENERATOR_VERSION]).spawn(len(TABLES))
    rngs = {t: np.random.default_rng(s) for t, s in zip(TABLES, streams, strict=True)}
    text = _Text(seed)
    paths = table_paths(out_dir)
    counts: dict[str, int] = {}

    def write(name: str, table: pa.Table) -> None:
        pq.write_table(table, paths[name], row_group_size=ROW_GROUP_ROWS)
        counts[name] = table.num_rows
        log(f"  {name}: {table.num_rows:,} rows")

    region, nation = _region_nation(text, rngs["region"])
    write("region", region)
    write("nation", nation)
    write("supplier", _supplier(scale, text, rngs["supplier"]))
    write("part", _part(scale, text, rngs["part"]))
    write("partsupp", _partsupp(scale, text, rngs["partsupp"]))
    write("customer", _customer(scale, text, rngs["customer"]))

    chunk_seeds = np.random.SeedSequence([seed, GENERATOR_VERSION, 0x0D])
    writers = {t: pq.ParquetWriter(paths[t], SCHEMAS[t]) for t in ("orders", "lineitem")}
    counts["orders"] = counts["lineitem"] = 0
    try:
        chunks = range(0, scale.orders, ORDERS_PER_CHUNK)
        for seq, first in zip(chunk_seeds.spawn(len(chunks)), chunks, strict=True):
            count = min(ORDERS_PER_CHUNK, scale.orders - first)
            orders, lineitem = _orders_lineitem(scale, text, np.random.default_rng(seq),
                                                first, count)
            for name, table in (("orders", orders), ("lineitem", lineitem)):
                writers[name].write_table(table, row_group_size=ROW_GROUP_ROWS)
                counts[name] += table.num_rows
    finally:
        for w in writers.values():
            w.close()
    log(f"  orders: {counts['orders']:,} rows\n  lineitem: {counts['lineitem']:,} rows")
    return counts


def ensure_tpch(sf: float, seed: int = DEFAULT_SEED, root: Path | None = None,
                log: Callable[[str], None] = print) -> Path:
    """The directory of the SF ``sf`` data, generated unless a matching copy is cached.

    A ``manifest.json`` written last records the generator version, scale factor, seed and
    row counts; a directory without a matching one (older generator, interrupted run) is
    regenerated. Generation goes to a temporary sibling renamed into place at the end.
    """
    target = data_dir(sf, root)
    wanted = _manifest(sf, seed)
    manifest = target / "manifest.json"
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if {k: found.get(k) for k in wanted} == wanted and all(
                p.exists() for p in table_paths(target).values()):
            return target
    log(f"generating TPC-H-style data at SF {sf:g} (seed {seed}) into {target} ...")
    start = time.perf_counter()
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    counts = generate(sf, tmp, seed, log)
    (tmp / "manifest.json").write_text(json.dumps({**wanted, "rows": counts}, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    log(f"  done in {time.perf_counter() - start:.1f} s")
    return target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sf", type=float, default=1.0, help="scale factor (default 1)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--out", type=Path, help="write here instead of the cache (regenerates)")
    args = p.parse_args(argv)
    if args.out:
        generate(args.sf, args.out, args.seed)
        print(args.out)
    else:
        print(ensure_tpch(args.sf, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
