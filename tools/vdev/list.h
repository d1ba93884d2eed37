/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A minimal intrusive doubly-linked list (circular, with a head node). */
#ifndef FERRY_VDEV_LIST_H
#define FERRY_VDEV_LIST_H

#include <stddef.h>
#include <stdbool.h>

typedef struct vd_list {
    struct vd_list *prev, *next;
} vd_list;

#define VD_LIST_INIT(name) { &(name), &(name) }
#define vd_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define vd_list_first(head, type, member)                                      \
    (vd_list_empty(head) ? NULL : vd_container_of((head)->next, type, member))
#define vd_list_for_each_safe(pos, tmp, head)                                  \
    for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);           \
         (pos) = (tmp), (tmp) = (pos)->next)

static inline void vd_list_init(vd_list *l)
{
    l->prev = l->next = l;
}

static inline bool vd_list_empty(const vd_list *l)
{
    return l->next == l;
}

static inline void vd_list_add_tail(vd_list *head, vd_list *n)
{
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}

static inline void vd_list_del(vd_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = n;
}

#endif
