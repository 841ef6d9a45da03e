"""Planning a replay: a recorded graph's op nodes in blocks, each block one numpy expression over the batch.

A block is the nodes of one op (with one constant) at one depth of the graph whose inputs vary over the
batch alike: one numpy call computes them all, a row per node and a column per example. Two shapes make a
network's layers matrix products:
  a chain t1 + t2 + ... + tm of + nodes whose partial sums feed nothing else is one sum of m terms, and
  a term w·h of a batch-independent w (a weight) and a batch-dependent h, read only by its sum, is computed
  inside that sum: k sums of m such products over the same h are W @ H.
A block whose every node is read once, by one later block reading all of them in order, is *private*: its
result stays a local array of the generated program instead of rows of the value matrix.
"""
from ..engine import reader_counts

__all__ = ["OpBlock", "SumBlock", "plan"]


class OpBlock:
    """k nodes of one op and constant, out = op(x, y) row by row: `sources` holds, per input position, the k
    nodes read there (one per member)."""

    kind = "op"

    def __init__(self, op, arg, members, varying, sources):
        self.op, self.arg, self.members, self.varying, self.sources = op, arg, members, varying, sources
        self.id = self.out = None  # set by the tape's layout
        self.private = False

    def reads(self):
        """(nodes, may be the whole of a private block) for every list of nodes this block reads."""
        return [(nodes, True) for nodes in self.sources]


class SumBlock:
    """k sums of m terms each, by kind of term: `v_terms` and `u_terms` (k lists of nodes that vary over the
    batch or not), and products w·h computed here: `w` (k lists of batch-independent nodes) and `h` (k lists of
    batch-dependent nodes), or `shared_h` (one list) when every sum multiplies the same h."""

    kind = "sum"

    def __init__(self, members, varying, v_terms, u_terms, w, h):
        self.members, self.varying, self.v_terms, self.u_terms, self.w = members, varying, v_terms, u_terms, w
        self.shared_h = h[0] if h and all(row == h[0] for row in h) else None
        self.h = None if self.shared_h is not None else h
        self.id = self.out = None
        self.private = False

    def reads(self):
        out = [(_flat(terms), False) for terms in (self.v_terms, self.u_terms, self.w, self.h) if terms]
        if self.shared_h is not None:
            out.append((self.shared_h, True))
        return out


def _flat(rows):
    return [node for row in rows for node in row]


def _chains(order, keep):
    """{+ node: its terms} for the + nodes that end a chain (a lone + has terms [x, y]), the + nodes inside
    chains, and {node: how many nodes read it}.

    A + node is folded into the + that reads it as its left input when that is its only reader, so
    ((a + b) + c) + d becomes one sum of [a, b, c, d], in the same left-to-right order.
    """
    readers = reader_counts(order)
    folded = set()
    for node in order:
        if node.op == "add":
            x, y = node.parents
            if x.op == "add" and readers[x] == 1 and x not in keep and y is not x:
                folded.add(x)
    terms = {}
    for node in order:
        if node.op == "add" and node not in folded:
            chain, x = [node.parents[1]], node.parents[0]
            while x in folded:
                chain.append(x.parents[1])
                x = x.parents[0]
            chain.append(x)
            terms[node] = chain[::-1]
    return terms, folded, readers


def _varies(order, varying_leaves):
    """{node: does its value vary over the batch?}: the inputs and masks do, and whatever is computed from them."""
    varies = {}
    for node in order:
        varies[node] = any(varies[p] for p in node.parents) if node.op else node in varying_leaves
    return varies


def _products(terms, readers, keep, varies):
    """{w·h node: (w, h)} for the products computed inside their sum: read only by it, w fixed and h varying."""
    products = {}
    for reads in terms.values():
        for t in reads if len(reads) > 2 else ():
            if t.op == "mul" and readers[t] == 1 and t not in keep and varies[t.parents[0]] != varies[t.parents[1]]:
                x, y = t.parents
                products[t] = (y, x) if varies[x] else (x, y)
    return products


def _group_keys(order, terms, folded, products, varies):
    """{key: member nodes}: nodes with one key (depth, op or "sum", constant or term count, varies?, which
    inputs vary) are computed by one block."""
    depth, groups = {}, {}
    for node in order:
        if not node.op:
            depth[node] = 0
        elif node in products:
            depth[node] = max(depth[p] for p in node.parents)  # the sum reading it computes it
        elif node not in folded:
            reads = terms.get(node, node.parents)
            depth[node] = 1 + max(depth[p] for p in reads)
            if len(reads) > 2:
                kinds = tuple("P" if p in products else "V" if varies[p] else "U" for p in reads)
                key = (depth[node], "sum", len(reads), varies[node], kinds)
            else:
                key = (depth[node], node.op, node.arg, varies[node], tuple(varies[p] for p in reads))
            groups.setdefault(key, []).append(node)
    return groups


def _block(key, members, terms, products):
    """The block computing the members of one group."""
    varying, kinds = key[3], key[4]
    if key[1] != "sum":
        sources = [[(terms.get(n) or n.parents)[i] for n in members] for i in range(len(kinds))]
        return OpBlock(key[1], members[0].arg, members, varying, sources)
    reads = [terms[n] for n in members]

    def of_kind(kind):
        rows = [[t for t, k in zip(r, kinds) if k == kind] for r in reads]
        return rows if rows[0] else None

    pairs = of_kind("P")
    w = [[products[t][0] for t in row] for row in pairs] if pairs else None
    h = [[products[t][1] for t in row] for row in pairs] if pairs else None
    return SumBlock(members, varying, of_kind("V"), of_kind("U"), w, h)


def _mark_private(blocks, keep):
    """Mark the blocks whose nodes are read once, by one block that reads them all, in order (see above)."""
    uses = {}
    whole = {}
    for block in blocks:
        for nodes, may_be_whole in block.reads():
            for node in nodes:
                uses[node] = uses.get(node, 0) + 1
            if may_be_whole:
                whole.setdefault(nodes[0], []).append(nodes)
    for block in blocks:
        first = block.members[0]
        block.private = (not any(node in keep for node in block.members)
                         and all(uses.get(node) == 1 for node in block.members)
                         and any(nodes == block.members for nodes in whole.get(first, ())))


def plan(order, varying_leaves, keep):
    """The blocks computing the op nodes of `order` (inputs first), in an order that computes every node after
    its inputs, and {node: varies over the batch?}. `keep`: nodes whose values must stay readable (the root)."""
    terms, folded, readers = _chains(order, keep)
    varies = _varies(order, varying_leaves)
    products = _products(terms, readers, keep, varies)
    groups = _group_keys(order, terms, folded, products, varies)
    keys = sorted(groups, key=lambda k: (k[0], k[1], -1 if k[2] is None else k[2], k[3], k[4]))
    blocks = [_block(key, groups[key], terms, products) for key in keys]
    for i, block in enumerate(blocks):
        block.id = i
    _mark_private(blocks, keep)
    return blocks, varies
