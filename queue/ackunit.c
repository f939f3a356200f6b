/*
 * ackunit.c - the units of an acknowledgement's record groups (see ackunit.h): a
 * union-find over the groups and the messages without one, joined by the keys they share,
 * found by sorting the keys. A union keeps the smaller node as the root, and groups are the
 * first nodes, so a unit's root is its least group.
 */
#include "ackunit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A key of a message, and the node that message stands for. */
typedef struct key_node {
    const char *key;
    size_t node;
} key_node;

static int by_key(const void *a, const void *b)
{
    return strcmp(((const key_node *)a)->key, ((const key_node *)b)->key);
}

static size_t find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

int queue_ack_units(const queue_unit_msg *m, size_t n, size_t ngroups, int *unit, int *msg_unit)
{
    /* Nodes: group g is g - 1; message i without a group is ngroups + i. */
    size_t nodes = ngroups + n;
    size_t *parent = malloc((nodes ? nodes : 1) * sizeof(*parent));
    key_node *keys = malloc((n ? 2 * n : 1) * sizeof(*keys));
    if (parent == NULL || keys == NULL) {
        free(parent);
        free(keys);
        return -1;
    }
    for (size_t x = 0; x < nodes; x++) {
        parent[x] = x;
    }
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        size_t node = m[i].group > 0 && (size_t)m[i].group <= ngroups ? (size_t)m[i].group - 1
                                                                      : ngroups + i;
        if (m[i].dkey) {
            keys[nk++] = (key_node){m[i].dkey, node};
        }
        if (m[i].gkey) {
            keys[nk++] = (key_node){m[i].gkey, node};
        }
    }
    qsort(keys, nk, sizeof(*keys), by_key);
    for (size_t k = 1; k < nk; k++) {
        if (strcmp(keys[k - 1].key, keys[k].key) == 0) {
            size_t a = find(parent, keys[k - 1].node), b = find(parent, keys[k].node);
            if (a != b) {
                parent[a < b ? b : a] = a < b ? a : b;
            }
        }
    }
    for (size_t g = 0; g < ngroups; g++) {
        unit[g] = (int)find(parent, g) + 1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = find(parent, ngroups + i);
        bool in_group = m[i].group > 0 && (size_t)m[i].group <= ngroups;
        msg_unit[i] = !in_group && r < ngroups ? (int)r + 1 : 0;
    }
    free(parent);
    free(keys);
    return 0;
}
