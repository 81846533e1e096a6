/*
 * borderwatch.domain._gains: the bounded search's merges of gains per listed name, in one pass each.
 *
 * Why by hand: the bounded search (screening.py) merges, per traveller, maps of "listed name ->
 * gain" that hold thousands of names in a million spellings, and bounds every name met. numpy does
 * it in a few dozen calls (concatenate, unique, bincount, fancy indexing), which sort the names and
 * cost 5-10 microseconds each even on small inputs; no library offers a group-by over integer keys
 * with a reused scratch table. Here each merge is one loop over the postings with a dense scratch
 * table indexed by name id, left clean after every call.
 *
 * The results are those of the numpy code in screening.py, which stays as the reference (and runs
 * when this module is not built): the same names, and the same floats, as every sum and product
 * is made in the same order (built with -ffp-contract=off: no fused multiply-add). The tests hold
 * the two to each other.
 *
 * Every call holds the GIL from start to end, so the one scratch table of the process is never
 * used by two calls at once; it grows to the largest index seen (8 bytes a listed name).
 *
 * In a million spellings the merges are bound by memory, not arithmetic: each name met is a random
 * access into tables of millions. So the scratch table is one 8-byte cell per name (the call's
 * stamp and the name's slot: nothing to clear after a call), and the per-name facts the bound reads
 * come packed in one 16-byte record per name (one cache line, not four).
 *
 * It also holds the comparison rules of names/compare.py for one name part against many token types
 * (`token_scores`, see there): in Python each pair costs several microseconds in calls and objects.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The scratch table, one cell per name id: the stamp of the call that met the name (high 32 bits)
 * and the name's position among the names that call met (low 32 bits). A cell of another stamp is
 * a name not met yet: each call takes a new stamp instead of clearing what it touched. */
static uint64_t *cells = NULL;
static Py_ssize_t scratch_size = 0;
static uint32_t stamp = 0;

/* Makes the table hold `size` names and takes a new stamp for the call; -1 on error. */
static int
begin_merge(Py_ssize_t size)
{
    if (size > scratch_size) {
        if (size > INT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "too many listed names for the scratch table");
            return -1;
        }
        uint64_t *grown = PyMem_Calloc((size_t)size, sizeof(uint64_t));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        PyMem_Free(cells);
        cells = grown;
        scratch_size = size;
        stamp = 0;
    }
    if (++stamp == 0) { /* after 2**32 calls the stamps come round again: start from a clean table */
        memset(cells, 0, (size_t)scratch_size * sizeof(uint64_t));
        stamp = 1;
    }
    return 0;
}

/* The position of a name among those met in this call, or -1 when not met yet. */
static inline int64_t
met_at(int64_t id)
{
    uint64_t cell = cells[id];
    return (uint32_t)(cell >> 32) == stamp ? (int64_t)(uint32_t)cell : -1;
}

static inline void
meet(int64_t id, Py_ssize_t position)
{
    cells[id] = ((uint64_t)stamp << 32) | (uint32_t)position;
}

static inline void
forget(int64_t id)
{
    cells[id] = 0; /* stamp 0 is never a call's */
}

/* A growable pair of columns: name ids (int64) and values (float64). */
typedef struct {
    int64_t *ids;
    double *values;
    Py_ssize_t len, cap;
} Columns;

static int
columns_push(Columns *c, int64_t id, double value)
{
    if (c->len == c->cap) {
        Py_ssize_t cap = c->cap ? c->cap * 2 : 256;
        int64_t *ids = PyMem_Realloc(c->ids, (size_t)cap * sizeof(int64_t));
        if (ids == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        c->ids = ids;
        double *values = PyMem_Realloc(c->values, (size_t)cap * sizeof(double));
        if (values == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        c->values = values;
        c->cap = cap;
    }
    c->ids[c->len] = id;
    c->values[c->len] = value;
    c->len++;
    return 0;
}

/* The columns a call fills, kept from call to call: a merge of thousands of names would otherwise
 * map fresh pages of memory, which the kernel zeroes, every time. */
static Columns work = {0};

static Columns *
begin_columns(void)
{
    work.len = 0;
    return &work;
}

/* A gain: a float (or an int), read without running any Python code. */
static int
read_gain(PyObject *value, double *gain)
{
    if (PyFloat_Check(value)) {
        *gain = PyFloat_AS_DOUBLE(value);
        return 0;
    }
    if (PyLong_Check(value)) {
        *gain = PyLong_AsDouble(value);
        return *gain == -1.0 && PyErr_Occurred() ? -1 : 0;
    }
    PyErr_Format(PyExc_TypeError, "a gain must be a float, not %.100s", Py_TYPE(value)->tp_name);
    return -1;
}

/* (bytes of int64 ids, bytes of float64 values), for numpy.frombuffer. */
static PyObject *
columns_as_bytes(Columns *c)
{
    PyObject *ids = PyBytes_FromStringAndSize((const char *)c->ids, c->len * (Py_ssize_t)sizeof(int64_t));
    PyObject *values =
        PyBytes_FromStringAndSize((const char *)c->values, c->len * (Py_ssize_t)sizeof(double));
    if (ids == NULL || values == NULL) {
        Py_XDECREF(ids);
        Py_XDECREF(values);
        return NULL;
    }
    PyObject *out = PyTuple_Pack(2, ids, values);
    Py_DECREF(ids);
    Py_DECREF(values);
    return out;
}

/* (bytes of int32 ids, bytes of ranks, `gains`): a map kept across travellers whose values are
 * ranks into `gains` (held as `values`), 2 bytes each when fewer than 65,536 gains, else 4. */
static PyObject *
columns_as_ranked(Columns *c, PyObject *gains, Py_ssize_t gain_count)
{
    int width = gain_count <= 65536 ? 2 : 4;
    PyObject *ids = PyBytes_FromStringAndSize(NULL, c->len * (Py_ssize_t)sizeof(int32_t));
    PyObject *ranks = PyBytes_FromStringAndSize(NULL, c->len * (Py_ssize_t)width);
    if (ids == NULL || ranks == NULL) {
        Py_XDECREF(ids);
        Py_XDECREF(ranks);
        return NULL;
    }
    int32_t *out = (int32_t *)PyBytes_AS_STRING(ids);
    uint16_t *r16 = (uint16_t *)PyBytes_AS_STRING(ranks);
    uint32_t *r32 = (uint32_t *)PyBytes_AS_STRING(ranks);
    for (Py_ssize_t i = 0; i < c->len; i++) {
        out[i] = (int32_t)c->ids[i]; /* ids below the scratch table's size, itself below 2**31 */
        if (width == 2)
            r16[i] = (uint16_t)c->values[i]; /* the values hold the ranks (whole numbers) */
        else
            r32[i] = (uint32_t)c->values[i];
    }
    PyObject *triple = PyTuple_Pack(3, ids, ranks, gains);
    Py_DECREF(ids);
    Py_DECREF(ranks);
    return triple;
}

/* A contiguous buffer of `itemsize`-byte items whose format is one of `kinds` (NULL: any). */
static int
get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, const char *kinds, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    const char *format = view->format ? view->format : "B";
    char kind = format[strlen(format) - 1];
    if (view->itemsize != itemsize || (kinds != NULL && strchr(kinds, kind) == NULL)) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes (%s), got format '%s'", what,
                     itemsize, kinds ? kinds : "any", format);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* How many names ahead a loop asks for the memory it will read at random (the scratch cell, the
 * name's record): the misses then overlap instead of following one another. */
#define AHEAD 12

/* A name id read from a posting, checked against the tables' size. */
static inline int
check_id(int64_t id, Py_ssize_t names)
{
    if (id < 0 || id >= names) {
        PyErr_Format(PyExc_IndexError, "name id %lld outside the index's %zd names", (long long)id, names);
        return -1;
    }
    return 0;
}

/* Reads one map of gains per name: a dict {int: float}, a pair of buffers (int64 ids, float64
 * gains), or a triple (bytes of int32 ids, bytes of uint16 or uint32 ranks, float64 buffer of the
 * gains the ranks index) as `year_gains` makes them: a part's maps share its list of gains, so a
 * name takes 6 bytes in a map kept across travellers, not 16. */
typedef struct {
    PyObject *dict;
    Py_buffer ids, gains, ranks;
    int has_buffers;
    int ids32;
    int rank_width; /* 0: the gains are per name; else 2 or 4 bytes of rank per name */
} GainMap;

static int
gain_map_open(PyObject *obj, GainMap *map)
{
    memset(map, 0, sizeof(*map));
    if (PyDict_Check(obj)) {
        map->dict = obj;
        return 0;
    }
    if (PyTuple_Check(obj) && PyTuple_GET_SIZE(obj) == 3) {
        /* As `year_gains` makes them: int32 ids, ranks into the part's gains, the gains. */
        PyObject *ids = PyTuple_GET_ITEM(obj, 0), *ranks = PyTuple_GET_ITEM(obj, 1);
        if (!PyBytes_CheckExact(ids) || !PyBytes_CheckExact(ranks) || PyBytes_GET_SIZE(ids) % 4) {
            PyErr_SetString(PyExc_TypeError, "a ranked map is (bytes of int32 ids, bytes of ranks, gains)");
            return -1;
        }
        Py_ssize_t count = PyBytes_GET_SIZE(ids) / 4;
        map->rank_width = count ? (int)(PyBytes_GET_SIZE(ranks) / count) : 2;
        if ((map->rank_width != 2 && map->rank_width != 4) || PyBytes_GET_SIZE(ranks) != count * map->rank_width) {
            PyErr_SetString(PyExc_ValueError, "a ranked map's ranks are not 2 or 4 bytes per id");
            return -1;
        }
        map->ids32 = 1;
        if (get_buffer(PyTuple_GET_ITEM(obj, 2), &map->gains, 8, "d", "map gains") < 0)
            return -1;
        if (PyObject_GetBuffer(ids, &map->ids, PyBUF_SIMPLE) < 0) {
            PyBuffer_Release(&map->gains);
            return -1;
        }
        if (PyObject_GetBuffer(ranks, &map->ranks, PyBUF_SIMPLE) < 0) {
            PyBuffer_Release(&map->gains);
            PyBuffer_Release(&map->ids);
            return -1;
        }
        map->has_buffers = 1;
        return 0;
    }
    if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != 2) {
        PyErr_SetString(PyExc_TypeError, "a map of gains is a dict, a pair (ids, gains) or a ranked triple");
        return -1;
    }
    PyObject *ids = PyTuple_GET_ITEM(obj, 0), *gains = PyTuple_GET_ITEM(obj, 1);
    {
        if (get_buffer(ids, &map->ids, 8, "lq", "map ids") < 0)
            return -1;
        if (get_buffer(gains, &map->gains, 8, "d", "map gains") < 0) {
            PyBuffer_Release(&map->ids);
            return -1;
        }
    }
    if (!map->ids32 && map->ids.len != map->gains.len) {
        PyErr_SetString(PyExc_ValueError, "a map's ids and gains differ in length");
        PyBuffer_Release(&map->ids);
        PyBuffer_Release(&map->gains);
        return -1;
    }
    map->has_buffers = 1;
    return 0;
}

static void
gain_map_close(GainMap *map)
{
    if (map->has_buffers) {
        PyBuffer_Release(&map->ids);
        PyBuffer_Release(&map->gains);
        if (map->rank_width)
            PyBuffer_Release(&map->ranks);
    }
}

/* Calls `visit(id, gain, state)` for every entry of the map, in its order; -1 on error. */
typedef int (*visit_fn)(int64_t id, double gain, void *state);

static int
gain_map_each(GainMap *map, Py_ssize_t names, visit_fn visit, void *state)
{
    if (map->dict != NULL) {
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        while (PyDict_Next(map->dict, &pos, &key, &value)) {
            if (!PyLong_Check(key)) {
                PyErr_Format(PyExc_TypeError, "a name id must be an int, not %.100s", Py_TYPE(key)->tp_name);
                return -1;
            }
            long long id = PyLong_AsLongLong(key);
            if (id == -1 && PyErr_Occurred())
                return -1;
            double gain;
            if (read_gain(value, &gain) < 0)
                return -1;
            if (check_id(id, names) < 0 || visit(id, gain, state) < 0)
                return -1;
        }
        return 0;
    }
    const double *gains = map->gains.buf;
    Py_ssize_t count = map->gains.len / 8;
    if (map->ids32) {
        const int32_t *ids = map->ids.buf;
        Py_ssize_t table = map->gains.len / 8;
        const uint16_t *ranks16 = map->ranks.buf;
        const uint32_t *ranks32 = map->ranks.buf;
        count = map->ids.len / 4;
        for (Py_ssize_t i = 0; i < count; i++) {
            if (i + AHEAD < count && ids[i + AHEAD] >= 0 && ids[i + AHEAD] < names)
                __builtin_prefetch(&cells[ids[i + AHEAD]]);
            uint32_t rank = map->rank_width == 2 ? ranks16[i] : ranks32[i];
            if (rank >= (uint32_t)table) {
                PyErr_Format(PyExc_IndexError, "rank %u outside the map's %zd gains", rank, table);
                return -1;
            }
            if (check_id(ids[i], names) < 0 || visit(ids[i], gains[rank], state) < 0)
                return -1;
        }
        return 0;
    }
    const int64_t *ids = map->ids.buf;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (i + AHEAD < count && ids[i + AHEAD] >= 0 && ids[i + AHEAD] < names)
            __builtin_prefetch(&cells[ids[i + AHEAD]]); /* the cell is far in memory: ask for it early */
        if (check_id(ids[i], names) < 0 || visit(ids[i], gains[i], state) < 0)
            return -1;
    }
    return 0;
}

/* Calls `visit` for every entry of every map of `maps` (a sequence made fast), map after map. */
static int
each_map(PyObject *maps, Py_ssize_t names, visit_fn visit, void *state)
{
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(maps); i++) {
        GainMap map;
        if (gain_map_open(PySequence_Fast_GET_ITEM(maps, i), &map) < 0)
            return -1;
        int failed = gain_map_each(&map, names, visit, state);
        gain_map_close(&map);
        if (failed < 0)
            return -1;
    }
    return 0;
}

/* ---- first_gains ------------------------------------------------------------------------- */

PyDoc_STRVAR(first_gains_doc,
"first_gains(postings, gains, name_ok) -> (ids bytes, gains bytes)\n\n"
"Each name's first gain over `postings` (int32 buffers of name ids) taken in order with their\n"
"`gains`, for the names whose `name_ok` byte is set; names in the order first met.");

static PyObject *
first_gains(PyObject *self, PyObject *args)
{
    PyObject *postings, *gains_seq, *ok_obj;
    if (!PyArg_ParseTuple(args, "OOO", &postings, &gains_seq, &ok_obj))
        return NULL;
    PyObject *postings_fast = PySequence_Fast(postings, "postings must be a sequence");
    if (postings_fast == NULL)
        return NULL;
    PyObject *gains_fast = PySequence_Fast(gains_seq, "gains must be a sequence");
    if (gains_fast == NULL) {
        Py_DECREF(postings_fast);
        return NULL;
    }
    Py_buffer ok;
    Columns *out = begin_columns();
    PyObject *result = NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(postings_fast);
    if (get_buffer(ok_obj, &ok, 1, NULL, "name_ok") < 0)
        goto done_lists;
    if (PySequence_Fast_GET_SIZE(gains_fast) != count) {
        PyErr_SetString(PyExc_ValueError, "postings and gains differ in length");
        goto done;
    }
    if (begin_merge(ok.len) < 0)
        goto done;
    const uint8_t *name_ok = ok.buf;
    for (Py_ssize_t i = 0; i < count; i++) {
        double gain;
        if (read_gain(PySequence_Fast_GET_ITEM(gains_fast, i), &gain) < 0)
            goto done;
        Py_buffer held;
        if (get_buffer(PySequence_Fast_GET_ITEM(postings_fast, i), &held, 4, "il", "postings") < 0)
            goto done;
        const int32_t *ids = held.buf;
        Py_ssize_t n = held.len / 4;
        for (Py_ssize_t j = 0; j < n; j++) {
            int32_t id = ids[j];
            if (j + AHEAD < n && ids[j + AHEAD] >= 0 && ids[j + AHEAD] < ok.len)
                __builtin_prefetch(&cells[ids[j + AHEAD]]);
            if (check_id(id, ok.len) < 0) {
                PyBuffer_Release(&held);
                goto done;
            }
            if (met_at(id) >= 0 || !name_ok[id])
                continue;
            meet(id, out->len);
            if (columns_push(out, id, gain) < 0) {
                PyBuffer_Release(&held);
                goto done;
            }
        }
        PyBuffer_Release(&held);
    }
    result = columns_as_bytes(out);
done:
    PyBuffer_Release(&ok);
done_lists:
    Py_DECREF(postings_fast);
    Py_DECREF(gains_fast);
    return result;
}

/* ---- year_gains -------------------------------------------------------------------------- */

/* One posting table of the index (names/index.py `PostingTable`): names by (type, year). */
typedef struct {
    Py_buffer type_start, years, post_start, names;
    int opened;
} PostingTable;

static void
table_close(PostingTable *t)
{
    if (t->opened >= 1)
        PyBuffer_Release(&t->type_start);
    if (t->opened >= 2)
        PyBuffer_Release(&t->years);
    if (t->opened >= 3)
        PyBuffer_Release(&t->post_start);
    if (t->opened >= 4)
        PyBuffer_Release(&t->names);
    t->opened = 0;
}

static int
table_open(PyObject *obj, PostingTable *t)
{
    t->opened = 0;
    if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != 4) {
        PyErr_SetString(PyExc_TypeError, "a posting table is (type_start, years, post_start, names)");
        return -1;
    }
    if (get_buffer(PyTuple_GET_ITEM(obj, 0), &t->type_start, 8, "lq", "type_start") < 0)
        return -1;
    t->opened = 1;
    if (get_buffer(PyTuple_GET_ITEM(obj, 1), &t->years, 4, "il", "years") < 0)
        goto fail;
    t->opened = 2;
    if (get_buffer(PyTuple_GET_ITEM(obj, 2), &t->post_start, 8, "lq", "post_start") < 0)
        goto fail;
    t->opened = 3;
    if (get_buffer(PyTuple_GET_ITEM(obj, 3), &t->names, 4, "il", "names") < 0)
        goto fail;
    t->opened = 4;
    Py_ssize_t keys = t->years.len / 4;
    if (t->type_start.len < 8 || t->post_start.len != (keys + 1) * 8) {
        PyErr_SetString(PyExc_ValueError, "a posting table's columns disagree in length");
        goto fail;
    }
    const int64_t *type_start = t->type_start.buf, *post_start = t->post_start.buf;
    Py_ssize_t types = t->type_start.len / 8 - 1;
    if (type_start[0] != 0 || type_start[types] != keys || post_start[0] != 0 ||
        post_start[keys] != t->names.len / 4) {
        PyErr_SetString(PyExc_ValueError, "a posting table's offsets do not span its columns");
        goto fail;
    }
    return 0;
fail:
    table_close(t);
    return -1;
}

PyDoc_STRVAR(year_gains_doc,
"year_gains(types, gains, tables, years, name_ok) -> (int32 ids bytes, ranks bytes, gains)\n\n"
"Each name's first gain over the postings of `types` (int32) with their `gains` (float64; best\n"
"first) in each year of `years` in each posting table of `tables` (type after type, then year\n"
"after year, then table after table), for the names whose `name_ok` byte is set; names in the\n"
"order first met. A name's gain is given by its rank, the position of its first type: gains[rank]\n"
"(ranks of uint16, or uint32 past 65,536 types); `gains` itself is the third item.\n"
"A table is (type_start int64, years int32, post_start int64, names int32): see names/index.py.");

static PyObject *
year_gains(PyObject *self, PyObject *args)
{
    PyObject *types_obj, *gains_obj, *tables_seq, *years_seq, *ok_obj;
    if (!PyArg_ParseTuple(args, "OOOOO", &types_obj, &gains_obj, &tables_seq, &years_seq, &ok_obj))
        return NULL;
    Py_buffer type_view, gain_view;
    if (get_buffer(types_obj, &type_view, 4, "il", "types") < 0)
        return NULL;
    if (get_buffer(gains_obj, &gain_view, 8, "d", "gains") < 0) {
        PyBuffer_Release(&type_view);
        return NULL;
    }
    PyObject *tables_fast = NULL, *result = NULL;
    PostingTable tables[4];
    long years[8];
    Py_ssize_t n_tables = 0, n_years = 0, opened = 0;
    Py_buffer ok;
    int ok_open = 0;
    tables_fast = PySequence_Fast(tables_seq, "tables must be a sequence");
    if (tables_fast == NULL)
        goto done;
    n_tables = PySequence_Fast_GET_SIZE(tables_fast);
    if (n_tables > 4) {
        PyErr_SetString(PyExc_ValueError, "at most 4 posting tables");
        goto done;
    }
    PyObject *years_fast = PySequence_Fast(years_seq, "years must be a sequence");
    if (years_fast == NULL)
        goto done;
    n_years = PySequence_Fast_GET_SIZE(years_fast);
    if (n_years > 8) {
        Py_DECREF(years_fast);
        PyErr_SetString(PyExc_ValueError, "at most 8 years");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_years; i++) {
        years[i] = PyLong_AsLong(PySequence_Fast_GET_ITEM(years_fast, i));
        if (years[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(years_fast);
            goto done;
        }
    }
    Py_DECREF(years_fast);
    if (get_buffer(ok_obj, &ok, 1, NULL, "name_ok") < 0)
        goto done;
    ok_open = 1;
    for (; opened < n_tables; opened++)
        if (table_open(PySequence_Fast_GET_ITEM(tables_fast, opened), &tables[opened]) < 0)
            goto done;
    if (begin_merge(ok.len) < 0)
        goto done;
    const uint8_t *name_ok = ok.buf;
    Columns *out = begin_columns();
    Py_ssize_t count = type_view.len / 4;
    if (gain_view.len / 8 != count) {
        PyErr_SetString(PyExc_ValueError, "types and gains differ in length");
        goto done;
    }
    const int32_t *type_ids = type_view.buf;
    for (Py_ssize_t i = 0; i < count; i++) {
        long long type_id = type_ids[i];
        double rank = (double)i; /* the map keeps the type's rank: its gain is gains[i] */
        for (Py_ssize_t y = 0; y < n_years; y++) {
            for (Py_ssize_t k = 0; k < n_tables; k++) {
                const PostingTable *t = &tables[k];
                Py_ssize_t types = t->type_start.len / 8 - 1;
                if (type_id < 0 || type_id >= types) {
                    PyErr_Format(PyExc_IndexError, "token type %lld outside the table's %zd types", type_id,
                                 types);
                    goto done;
                }
                const int64_t *type_start = t->type_start.buf;
                const int32_t *key_years = t->years.buf;
                int64_t lo = type_start[type_id], hi = type_start[type_id + 1];
                if (lo < 0 || hi < lo || hi > t->years.len / 4) {
                    PyErr_SetString(PyExc_ValueError, "a posting table's type offsets are out of order");
                    goto done;
                }
                while (lo < hi) { /* the first key of the type whose year is not below the one asked */
                    int64_t mid = lo + (hi - lo) / 2;
                    if (key_years[mid] < years[y])
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                if (lo == type_start[type_id + 1] || key_years[lo] != years[y])
                    continue;
                const int64_t *post_start = t->post_start.buf;
                int64_t from = post_start[lo], to = post_start[lo + 1];
                if (from < 0 || to < from || to > t->names.len / 4) {
                    PyErr_SetString(PyExc_ValueError, "a posting table's name offsets are out of order");
                    goto done;
                }
                const int32_t *ids = (const int32_t *)t->names.buf + from;
                Py_ssize_t n = (Py_ssize_t)(to - from);
                for (Py_ssize_t j = 0; j < n; j++) {
                    int32_t id = ids[j];
                    if (j + AHEAD < n && ids[j + AHEAD] >= 0 && ids[j + AHEAD] < ok.len)
                        __builtin_prefetch(&cells[ids[j + AHEAD]]);
                    if (check_id(id, ok.len) < 0)
                        goto done;
                    if (met_at(id) >= 0 || !name_ok[id])
                        continue;
                    meet(id, out->len);
                    if (columns_push(out, id, rank) < 0)
                        goto done;
                }
            }
        }
    }
    result = columns_as_ranked(out, gains_obj, count);
done:
    for (Py_ssize_t k = 0; k < opened; k++)
        table_close(&tables[k]);
    if (ok_open)
        PyBuffer_Release(&ok);
    Py_XDECREF(tables_fast);
    PyBuffer_Release(&type_view);
    PyBuffer_Release(&gain_view);
    return result;
}

/* ---- string measures -------------------------------------------------------------------- */

/* A string as its code points (the form table packs every form's texts in one int32 column, so a
 * row's three texts are read from one or two cache lines, not from three scattered str objects). */
typedef struct {
    const int32_t *c;
    Py_ssize_t n;
} Text;

/* Where each character of a text of at most 64 stands, as bit masks (Myers' bit-parallel distance):
 * ASCII characters in a table, others in a short list. Built once per query form and call, then
 * read for every listed form it is compared with. `n` is -1 for a longer text (no masks). */
typedef struct {
    uint64_t ascii[128];
    int32_t other_chars[64];
    uint64_t other_masks[64];
    int others;
    Py_ssize_t n;
} Masks;

static void
masks_build(Masks *p, Text t)
{
    p->others = 0;
    p->n = t.n > 64 ? -1 : t.n;
    if (p->n < 0)
        return;
    memset(p->ascii, 0, sizeof p->ascii);
    for (Py_ssize_t i = 0; i < t.n; i++) {
        int32_t c = t.c[i];
        uint64_t bit = (uint64_t)1 << i;
        if (c >= 0 && c < 128) {
            p->ascii[c] |= bit;
            continue;
        }
        int k = 0;
        while (k < p->others && p->other_chars[k] != c)
            k++;
        if (k == p->others) {
            p->other_chars[k] = c;
            p->other_masks[k] = 0;
            p->others++;
        }
        p->other_masks[k] |= bit;
    }
}

static inline uint64_t
masks_of(const Masks *p, int32_t c)
{
    if (c >= 0 && c < 128)
        return p->ascii[c];
    for (int k = 0; k < p->others; k++)
        if (p->other_chars[k] == c)
            return p->other_masks[k];
    return 0;
}

/* The Levenshtein distance of two texts when it is `limit` or less; otherwise a number above `limit`
 * (the work stops once the distance must exceed it). With `ma`, the masks of `a` (64 characters at
 * most), one column of the distance table is worked out per character of `b` in a few word
 * operations (Myers 1999, in Hyyro's form for the whole-text distance); otherwise row by row. */
static Py_ssize_t
edit_distance(const Masks *ma, Text a, Text b, Py_ssize_t limit)
{
    Py_ssize_t n = a.n, m = b.n;
    if ((n > m ? n - m : m - n) > limit)
        return limit + 1;
    if (ma != NULL && ma->n == n && n > 0) {
        /* Vertical deltas of the column (+1: pv, -1: mv) down `a`; `score` is its last cell. */
        uint64_t pv = ~(uint64_t)0, mv = 0, last = (uint64_t)1 << (n - 1);
        Py_ssize_t score = n;
        for (Py_ssize_t j = 0; j < m; j++) {
            uint64_t eq = masks_of(ma, b.c[j]);
            uint64_t xv = eq | mv;
            uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
            uint64_t ph = mv | ~(xh | pv);
            uint64_t mh = pv & xh;
            if (ph & last)
                score++;
            else if (mh & last)
                score--;
            ph = (ph << 1) | 1; /* the top row grows by one a column: the distance to an empty start */
            mh <<= 1;
            pv = mh | ~(xv | ph);
            mv = ph & xv;
            if (score - (m - 1 - j) > limit) /* each column left lowers the last cell by one at most */
                return limit + 1;
        }
        return score;
    }
    Py_ssize_t small[2][65];
    Py_ssize_t *rows = NULL;
    Py_ssize_t *prev, *cur;
    if (m < 65) {
        prev = small[0];
        cur = small[1];
    } else {
        rows = PyMem_Malloc(2 * (size_t)(m + 1) * sizeof(Py_ssize_t));
        if (rows == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        prev = rows;
        cur = rows + m + 1;
    }
    for (Py_ssize_t j = 0; j <= m; j++)
        prev[j] = j;
    for (Py_ssize_t i = 1; i <= n; i++) {
        int32_t ca = a.c[i - 1];
        cur[0] = i;
        Py_ssize_t row_best = cur[0];
        for (Py_ssize_t j = 1; j <= m; j++) {
            Py_ssize_t best = prev[j - 1] + (ca != b.c[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
            if (best < row_best)
                row_best = best;
        }
        if (row_best > limit) { /* every path already costs more: the distance is above the limit */
            PyMem_Free(rows);
            return limit + 1;
        }
        Py_ssize_t *held = prev;
        prev = cur;
        cur = held;
    }
    Py_ssize_t found = prev[m];
    PyMem_Free(rows);
    return found;
}

/* The length of the common start of two texts. */
static Py_ssize_t
common_prefix(Text a, Text b)
{
    Py_ssize_t k = 0;
    while (k < a.n && k < b.n && a.c[k] == b.c[k])
        k++;
    return k;
}

static inline int
same_text(Text a, Text b)
{
    if (a.n != b.n)
        return 0;
    if (a.c == b.c)
        return 1;
    for (Py_ssize_t i = 0; i < a.n; i++) /* short texts that mostly differ early: no call to memcmp */
        if (a.c[i] != b.c[i])
            return 0;
    return 1;
}

static int
all_str(PyObject *list, const char *what)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        if (!PyUnicode_Check(PyList_GET_ITEM(list, i))) {
            PyErr_Format(PyExc_TypeError, "%s must hold str", what);
            return -1;
        }
    }
    return 0;
}

/* ---- token_scores -------------------------------------------------------------------------- */

/* The comparison rules of names/compare.py (`NameComparer._token_match` and `form_match`), rule for
 * rule, for a traveller's name part against many token types of the index at once: the first time
 * a part is seen, its few hundred neighbours are scored here in one pass instead of one Python call
 * (and a dozen objects) each. compare.py stays the rules' text and reference: the tests hold every
 * score, rule and note made here to it, and it scores every pair the explanation needs later. */

/* MatchRule, in the order of `index._RULES`. */
enum { R_EXACT, R_VARIANT, R_PHONETIC, R_SKELETON, R_TRANSLITERATION, R_EDIT, R_TRUNCATED, R_INITIAL,
       R_JOINED, R_DIFFERENT, R_NONE };
/* Which note a rule writes (compare.form_match's texts). */
enum { N_NONE, N_VARIANT, N_DIFFERENT, N_PHONETIC, N_SKELETON, N_SIMILAR, N_TRUNCATED, N_INITIAL,
       N_SKELETONS };

typedef struct {
    double score, ratio; /* ratio: of N_SIMILAR */
    int rule, note;
    int32_t fam_a, fam_b; /* N_VARIANT: the shared family; N_DIFFERENT: a is not b */
} PairMatch;

typedef struct {
    Text phonetic, skeleton, text;
    int64_t skeleton_id; /* the table's id of the skeleton (-1: one it does not hold) */
    double penalty;
    int first; /* the token's first form (the one its original-script text goes with) */
    int noted; /* the form has a note (why it exists: "al- dropped") */
    const int32_t *fams; /* its variant families, as ids sorted by name */
    Py_ssize_t nfams;
    PyObject *skeleton_str, *note; /* borrowed, read only to write a kept match's note */
    const Masks *phonetic_masks, *skeleton_masks; /* a query form's (NULL for a listed one) */
} Form;

/* Python's round(x, 4): the correctly rounded decimal, read back (the same digits as float.__round__).
 * Away from a tie the decimal is x * 10**4 rounded to the nearest integer r (the product's rounding
 * error, under 1e-12 here, cannot cross a half), and reading "r e-4" back gives the double nearest
 * to r / 10**4, which is what the division gives (both exact, the quotient correctly rounded); near
 * a tie the decimal digits are worked out as Python does. */
static int
round4(double x, double *out)
{
    double y = x * 10000.0;
    if (fabs(y) < 1e9) {
        double r = nearbyint(y);
        if (0.5 - fabs(y - r) > 1e-6) {
            *out = r / 10000.0;
            return 0;
        }
    }
    char *text = PyOS_double_to_string(x, 'f', 4, 0, NULL);
    if (text == NULL)
        return -1;
    *out = PyOS_string_to_double(text, NULL, NULL);
    PyMem_Free(text);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* rapidfuzz's Levenshtein.normalized_similarity: 1 - distance / longer length (1 for two empty). */
static int
similarity(const Masks *ma, Text a, Text b, double *out)
{
    Py_ssize_t longer = a.n > b.n ? a.n : b.n;
    Py_ssize_t d = edit_distance(ma, a, b, a.n + b.n);
    if (d < 0)
        return -1;
    *out = longer ? 1.0 - (double)d / (double)longer : 1.0;
    return 0;
}

static inline int
same_skeleton(const Form *q, const Form *l)
{
    return q->skeleton_id >= 0 ? q->skeleton_id == l->skeleton_id : same_text(q->skeleton, l->skeleton);
}

/* compare.NameComparer.form_match for one pair of forms (`cross`: one side is Arabic script). */
static int
pair_match(const Form *q, const Form *l, int cross, const uint8_t *distinct, Py_ssize_t families,
           double edit_floor, PairMatch *m)
{
    m->score = 0.0;
    m->rule = R_NONE;
    m->note = N_NONE;
    if (same_text(q->text, l->text)) {
        m->score = 1.0;
        m->rule = R_EXACT;
        return 0;
    }
    if (q->nfams && l->nfams) {
        Py_ssize_t i = 0, j = 0;
        while (i < q->nfams && j < l->nfams) { /* the least shared family (ids sorted by name) */
            if (q->fams[i] == l->fams[j]) {
                m->score = 0.95;
                m->rule = R_VARIANT;
                m->note = N_VARIANT;
                m->fam_a = q->fams[i];
                return 0;
            }
            if (q->fams[i] < l->fams[j])
                i++;
            else
                j++;
        }
        for (i = 0; i < q->nfams; i++)
            for (j = 0; j < l->nfams; j++)
                if (distinct[(Py_ssize_t)q->fams[i] * families + l->fams[j]]) {
                    m->rule = R_DIFFERENT;
                    m->note = N_DIFFERENT;
                    m->fam_a = q->fams[0];
                    m->fam_b = l->fams[0];
                    return 0;
                }
    }
    Py_ssize_t lsq = q->skeleton.n, lsl = l->skeleton.n;
    if (cross) { /* Arabic script writes no short vowels: skeletons, refined by the phonetic keys */
        if (!lsq || !lsl)
            return 0;
        int same = same_skeleton(q, l);
        if (!same) {
            if ((lsq < lsl ? lsq : lsl) < 3)
                return 0;
            Py_ssize_t d = edit_distance(q->skeleton_masks, q->skeleton, l->skeleton, 1);
            if (d < 0)
                return -1;
            if (d != 1)
                return 0;
        }
        double vowels;
        if (similarity(q->phonetic_masks, q->phonetic, l->phonetic, &vowels) < 0 ||
            round4((same ? 0.85 : 0.65) + 0.1 * vowels, &m->score) < 0)
            return -1;
        m->rule = R_TRANSLITERATION;
        m->note = same ? N_SKELETON : N_SKELETONS;
        return 0;
    }
    Text pq = q->phonetic, pl = l->phonetic;
    if (same_text(pq, pl)) {
        m->score = 0.92;
        m->rule = R_PHONETIC;
        m->note = N_PHONETIC;
        return 0;
    }
    Py_ssize_t shorter = pq.n < pl.n ? pq.n : pl.n, longer = pq.n > pl.n ? pq.n : pl.n;
    double ratio = -1.0; /* unknown: below the edit rule's floor when only the bounded distance ran */
    if (lsq >= 2 && same_skeleton(q, l)) {
        if (similarity(q->phonetic_masks, pq, pl, &ratio) < 0 || round4(0.6 + 0.3 * ratio, &m->score) < 0)
            return -1;
        m->rule = R_SKELETON;
        m->note = N_SKELETON;
    }
    if (shorter >= 3) {
        if (ratio < 0.0) {
            /* Only a ratio of `edit_floor` or more counts: the distance stops once it cannot. */
            Py_ssize_t limit = (Py_ssize_t)((1.0 - edit_floor) * (double)longer) + 1;
            Py_ssize_t d = edit_distance(q->phonetic_masks, pq, pl, limit);
            if (d < 0)
                return -1;
            if (d <= limit)
                ratio = 1.0 - (double)d / (double)longer;
        }
        if (ratio >= 0.75) {
            double score;
            if (round4(0.95 * ratio, &score) < 0)
                return -1;
            if (score > m->score) {
                m->score = score;
                m->rule = R_EDIT;
                m->note = N_SIMILAR;
                m->ratio = ratio;
            }
        }
    }
    Text tq = q->text, tl = l->text;
    Py_ssize_t least = tq.n < tl.n ? tq.n : tl.n;
    if (least >= 5 && common_prefix(tq, tl) == least && m->score < 0.75) {
        m->score = 0.75;
        m->rule = R_TRUNCATED;
        m->note = N_TRUNCATED;
    }
    if ((tq.n == 1 || tl.n == 1) && least >= 1 && tq.c[0] == tl.c[0] && m->score < 0.6) {
        m->score = 0.6;
        m->rule = R_INITIAL;
        m->note = N_INITIAL;
    }
    return 0;
}

/* The note of a pair's match, and with a form's penalty, the forms' notes after it ("; "). */
static PyObject *
match_note(const PairMatch *m, const Form *q, const Form *l, int with_forms, PyObject *family_names)
{
    PyObject *note;
    switch (m->note) {
    case N_VARIANT:
        note = PyUnicode_FromFormat("variant table: %U", PyList_GET_ITEM(family_names, m->fam_a));
        break;
    case N_DIFFERENT:
        note = PyUnicode_FromFormat("%U is not %U", PyList_GET_ITEM(family_names, m->fam_a),
                                    PyList_GET_ITEM(family_names, m->fam_b));
        break;
    case N_PHONETIC:
        note = PyUnicode_FromString("same phonetic key");
        break;
    case N_SKELETON:
        note = PyUnicode_FromFormat("skeleton %U", q->skeleton_str);
        break;
    case N_SKELETONS:
        note = PyUnicode_FromFormat("skeletons %U ~ %U", q->skeleton_str, l->skeleton_str);
        break;
    case N_SIMILAR: {
        char *digits = PyOS_double_to_string(m->ratio, 'f', 2, 0, NULL);
        if (digits == NULL)
            return NULL;
        note = PyUnicode_FromFormat("%s similar", digits);
        PyMem_Free(digits);
        break;
    }
    case N_TRUNCATED:
        note = PyUnicode_FromString("one is the start of the other");
        break;
    case N_INITIAL:
        note = PyUnicode_FromString("an initial: reported, earns no weight");
        break;
    default:
        note = PyUnicode_FromString("");
    }
    if (note == NULL || !with_forms)
        return note;
    PyObject *parts[3] = {note, q->note, l->note}; /* l->note NULL: the form has none */
    PyObject *joined = PyUnicode_FromString("");
    for (int i = 0; i < 3 && joined != NULL; i++) {
        if (parts[i] == NULL || PyUnicode_GET_LENGTH(parts[i]) == 0)
            continue;
        PyObject *next = PyUnicode_GET_LENGTH(joined) ? PyUnicode_FromFormat("%U; %U", joined, parts[i])
                                                       : (Py_INCREF(parts[i]), parts[i]);
        Py_SETREF(joined, next);
    }
    Py_DECREF(note);
    return joined;
}

/* A row's variant families, checked against the table. */
static int
read_families(Form *f, Py_ssize_t r, const int64_t *fam_start, const int32_t *fam_ids, Py_ssize_t fam_count,
              Py_ssize_t families)
{
    int64_t a = fam_start[r], b = fam_start[r + 1];
    if (a < 0 || b < a || b > fam_count) {
        PyErr_Format(PyExc_IndexError, "form %zd: families %lld to %lld outside the table", r, (long long)a,
                     (long long)b);
        return -1;
    }
    f->fams = fam_ids + a;
    f->nfams = (Py_ssize_t)(b - a);
    for (Py_ssize_t k = 0; k < f->nfams; k++) {
        if (f->fams[k] < 0 || f->fams[k] >= families || (k && f->fams[k] <= f->fams[k - 1])) {
            PyErr_Format(PyExc_ValueError, "form %zd: family ids must be sorted, below %zd", r, families);
            return -1;
        }
    }
    return 0;
}

PyDoc_STRVAR(token_scores_doc,
"token_scores(type_ids, table, query, q_arabic, min_score, edit_floor) -> list of (type id, score, rule, note)\n\n"
"`compare.NameComparer.token_match` of a traveller's part (`query`) against each token type of\n"
"`type_ids` (a list of ints, or bytes of int32 as `union(..., True)` gives them), keeping those\n"
"scoring `min_score` or more, in order; `rule` indexes `index._RULES`.\n"
"`table` = (start, arabic, chars, shape, skeleton_id, skeleton, note, penalty, flags, family_start,\n"
"family_ids, distinct, family_names): a type's forms are the rows start[t] to start[t + 1]; row r's\n"
"phonetic key, skeleton and text are the code points of `chars` from shape[4r], shape[4r + 1],\n"
"shape[4r + 2] and shape[4r + 3] long, one after the other; `skeleton` and `note` are its str (for\n"
"the notes); flags[r] is 1 for a token's first form, plus 2 when the form has a note; a row's\n"
"variant families are family_ids[family_start[r]:family_start[r + 1]] (ids in name order);\n"
"distinct[a * F + b] = 1 when the tables say families a and b are different names (F =\n"
"len(family_names)). `query` = (phonetic, skeleton, text, note, penalty, first, family_start,\n"
"family_ids, skeleton_id) of the part's forms: lists of str, the rest alike. `edit_floor` is the\n"
"edit rule's least similarity less a float slack (a distance is worked out in full only when it\n"
"counts).");

/* The query's texts as code points, in one block. */
static int32_t *
query_texts(PyObject *const lists[3], Py_ssize_t forms, Form *out)
{
    Py_ssize_t total = 0;
    for (int k = 0; k < 3; k++)
        for (Py_ssize_t f = 0; f < forms; f++) {
            PyObject *item = PyList_GET_ITEM(lists[k], f);
            if (!PyUnicode_Check(item)) {
                PyErr_SetString(PyExc_TypeError, "the query's forms must be str");
                return NULL;
            }
            total += PyUnicode_GET_LENGTH(item);
        }
    int32_t *chars = PyMem_Malloc((size_t)(total + 1) * sizeof(int32_t));
    if (chars == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    Py_ssize_t at = 0;
    for (int k = 0; k < 3; k++)
        for (Py_ssize_t f = 0; f < forms; f++) {
            PyObject *item = PyList_GET_ITEM(lists[k], f);
            Py_ssize_t n = PyUnicode_GET_LENGTH(item);
            for (Py_ssize_t i = 0; i < n; i++)
                chars[at + i] = (int32_t)PyUnicode_READ_CHAR(item, i);
            Text t = {chars + at, n};
            if (k == 0)
                out[f].phonetic = t;
            else if (k == 1)
                out[f].skeleton = t;
            else
                out[f].text = t;
            at += n;
        }
    return chars;
}

PyDoc_STRVAR(distance_doc,
"distance(a, b, limit, bits) -> int\n\n"
"The edit distance `token_scores` works out for two texts: exact when `limit` or less, otherwise some\n"
"number above `limit`; with `bits`, by the bit-parallel columns (when `a` is 64 characters or less),\n"
"otherwise row by row. For the tests, which hold both to a reference.");

static PyObject *
distance(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    Py_ssize_t limit;
    int bits;
    if (!PyArg_ParseTuple(args, "UUnp", &a, &b, &limit, &bits))
        return NULL;
    if (limit < 0) {
        PyErr_SetString(PyExc_ValueError, "limit must be 0 or more");
        return NULL;
    }
    PyObject *lists[3] = {NULL, NULL, NULL};
    PyObject *pair = PyList_New(2);
    if (pair == NULL)
        return NULL;
    Py_INCREF(a);
    Py_INCREF(b);
    PyList_SET_ITEM(pair, 0, a);
    PyList_SET_ITEM(pair, 1, b);
    lists[0] = lists[1] = lists[2] = pair;
    Form texts[2];
    int32_t *chars = query_texts(lists, 2, texts);
    Py_DECREF(pair);
    if (chars == NULL)
        return NULL;
    Masks *masks = bits ? PyMem_Malloc(sizeof(Masks)) : NULL;
    if (bits && masks == NULL) {
        PyMem_Free(chars);
        return PyErr_NoMemory();
    }
    if (masks != NULL)
        masks_build(masks, texts[0].phonetic);
    Py_ssize_t d = edit_distance(masks, texts[0].phonetic, texts[1].phonetic, limit);
    PyMem_Free(masks);
    PyMem_Free(chars);
    return d < 0 ? NULL : PyLong_FromSsize_t(d);
}

/* The type id at position i of a list of ints, or -1 when it is not one of `types` (the caller reports
 * it when it comes to it: this only looks ahead). */
static inline long long
type_at(const int32_t *type_ids, Py_ssize_t i, Py_ssize_t types)
{
    long long t = type_ids[i];
    return (t < 0 || t >= types) ? -1 : t;
}

/* The type ids asked for as int32: read from a bytes object of them as `union(..., True)` makes
 * it (no int object per neighbour), or copied from a list of ints into `*owned` (freed by the
 * caller); NULL on error. */
static const int32_t *
type_ids_of(PyObject *obj, Py_ssize_t *count, int32_t **owned)
{
    *owned = NULL;
    if (PyBytes_CheckExact(obj)) {
        if (PyBytes_GET_SIZE(obj) % 4) {
            PyErr_SetString(PyExc_ValueError, "type ids as bytes must be int32 items");
            return NULL;
        }
        *count = PyBytes_GET_SIZE(obj) / 4;
        return (const int32_t *)PyBytes_AS_STRING(obj);
    }
    if (!PyList_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "type ids must be a list of ints or bytes of int32");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(obj);
    int32_t *ids = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (ids == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(obj, i);
        int overflow = 0;
        long long t = PyLong_Check(item) ? PyLong_AsLongLongAndOverflow(item, &overflow) : -1;
        if (t == -1 && PyErr_Occurred()) {
            PyMem_Free(ids);
            return NULL;
        }
        /* Out of range (or not an int): -1, refused below with the type id's error. */
        ids[i] = (overflow || t < 0 || t > INT32_MAX) ? -1 : (int32_t)t;
    }
    *count = n;
    *owned = ids;
    return ids;
}

static PyObject *
token_scores(PyObject *self, PyObject *args)
{
    PyObject *type_ids, *table, *query;
    int q_arabic;
    double min_score, edit_floor;
    if (!PyArg_ParseTuple(args, "OO!O!pdd", &type_ids, &PyTuple_Type, &table, &PyTuple_Type, &query, &q_arabic,
                          &min_score, &edit_floor))
        return NULL;
    if (!PyList_Check(type_ids) && !PyBytes_CheckExact(type_ids)) {
        PyErr_SetString(PyExc_TypeError, "type ids must be a list of ints or bytes of int32");
        return NULL;
    }
    if (PyTuple_GET_SIZE(table) != 13 || PyTuple_GET_SIZE(query) != 9) {
        PyErr_SetString(PyExc_ValueError, "table must hold 13 columns and query 9");
        return NULL;
    }
    PyObject *skeletons = PyTuple_GET_ITEM(table, 5), *notes = PyTuple_GET_ITEM(table, 6);
    PyObject *family_names = PyTuple_GET_ITEM(table, 12);
    PyObject *q_lists[4];
    for (int i = 0; i < 4; i++)
        q_lists[i] = PyTuple_GET_ITEM(query, i);
    if (!PyList_Check(skeletons) || !PyList_Check(notes) || !PyList_Check(family_names) ||
        !PyList_Check(q_lists[0]) || !PyList_Check(q_lists[1]) || !PyList_Check(q_lists[2]) ||
        !PyList_Check(q_lists[3])) {
        PyErr_SetString(PyExc_TypeError, "the text columns must be lists of str");
        return NULL;
    }
    if (all_str(family_names, "family_names") < 0 || all_str(q_lists[3], "the query's notes") < 0)
        return NULL;
    Py_ssize_t families = PyList_GET_SIZE(family_names), rows = PyList_GET_SIZE(skeletons);
    Py_ssize_t forms = PyList_GET_SIZE(q_lists[0]);
    if (PyList_GET_SIZE(notes) != rows || PyList_GET_SIZE(q_lists[1]) != forms ||
        PyList_GET_SIZE(q_lists[2]) != forms || PyList_GET_SIZE(q_lists[3]) != forms) {
        PyErr_SetString(PyExc_ValueError, "the form columns differ in length");
        return NULL;
    }
    if (forms > 64) {
        PyErr_SetString(PyExc_ValueError, "a name part has more than 64 forms");
        return NULL;
    }
    enum { B_START, B_ARABIC, B_CHARS, B_SHAPE, B_SKEL_ID, B_PENALTY, B_FLAGS, B_FAM_START, B_FAM_IDS,
           B_DISTINCT, B_QPENALTY, B_QFIRST, B_QFAM_START, B_QFAM_IDS, B_QSKEL_ID, B_COUNT };
    static const struct {
        int in_query, slot;
        Py_ssize_t itemsize;
        const char *kinds, *what;
    } specs[B_COUNT] = {
        {0, 0, 8, "lq", "start"},           {0, 1, 1, NULL, "arabic"},
        {0, 2, 4, "i", "chars"},            {0, 3, 4, "i", "shape"},
        {0, 4, 8, "lq", "skeleton_id"},     {0, 7, 8, "d", "penalty"},
        {0, 8, 1, NULL, "flags"},           {0, 9, 8, "lq", "family_start"},
        {0, 10, 4, "i", "family_ids"},      {0, 11, 1, NULL, "distinct"},
        {1, 4, 8, "d", "query penalty"},    {1, 5, 1, NULL, "query first"},
        {1, 6, 8, "lq", "query family_start"}, {1, 7, 4, "i", "query family_ids"},
        {1, 8, 8, "lq", "query skeleton_id"},
    };
    Py_buffer views[B_COUNT];
    int opened = 0;
    PyObject *result = NULL;
    Form *listed = NULL;
    int32_t *q_chars = NULL;
    Masks *q_masks = NULL;
    int32_t *owned_ids = NULL;
    Py_ssize_t wanted = 0;
    const int32_t *ids = type_ids_of(type_ids, &wanted, &owned_ids);
    if (ids == NULL)
        goto done;
    for (; opened < B_COUNT; opened++) {
        PyObject *source = PyTuple_GET_ITEM(specs[opened].in_query ? query : table, specs[opened].slot);
        if (get_buffer(source, &views[opened], specs[opened].itemsize, specs[opened].kinds,
                       specs[opened].what) < 0)
            goto done;
    }
    Py_ssize_t types = views[B_ARABIC].len, chars_count = views[B_CHARS].len / 4;
    if (views[B_START].len / 8 != types + 1 || views[B_SHAPE].len / 4 != 4 * rows ||
        views[B_SKEL_ID].len / 8 != rows || views[B_PENALTY].len / 8 != rows || views[B_FLAGS].len != rows ||
        views[B_FAM_START].len / 8 != rows + 1 || views[B_DISTINCT].len != families * families ||
        views[B_QPENALTY].len / 8 != forms || views[B_QFIRST].len != forms ||
        views[B_QFAM_START].len / 8 != forms + 1 || views[B_QSKEL_ID].len / 8 != forms) {
        PyErr_SetString(PyExc_ValueError, "the table's or the query's columns do not fit one another");
        goto done;
    }
    Form q_forms[64];
    q_chars = query_texts(q_lists, forms, q_forms);
    if (q_chars == NULL)
        goto done;
    q_masks = PyMem_Malloc(2 * (size_t)(forms ? forms : 1) * sizeof(Masks));
    if (q_masks == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const double *q_penalty = views[B_QPENALTY].buf;
    const uint8_t *q_first = views[B_QFIRST].buf;
    const int64_t *q_skel_id = views[B_QSKEL_ID].buf;
    for (Py_ssize_t f = 0; f < forms; f++) {
        Form *q = &q_forms[f];
        q->skeleton_id = q_skel_id[f];
        q->penalty = q_penalty[f];
        q->first = q_first[f] != 0;
        q->skeleton_str = PyList_GET_ITEM(q_lists[1], f);
        q->note = PyList_GET_ITEM(q_lists[3], f);
        q->noted = PyUnicode_GET_LENGTH(q->note) > 0;
        masks_build(&q_masks[2 * f], q->phonetic);
        masks_build(&q_masks[2 * f + 1], q->skeleton);
        q->phonetic_masks = &q_masks[2 * f];
        q->skeleton_masks = &q_masks[2 * f + 1];
        if (read_families(q, f, views[B_QFAM_START].buf, views[B_QFAM_IDS].buf, views[B_QFAM_IDS].len / 4,
                          families) < 0)
            goto done;
    }
    const int64_t *start = views[B_START].buf, *skel_id = views[B_SKEL_ID].buf;
    const int32_t *chars = views[B_CHARS].buf, *shape = views[B_SHAPE].buf;
    const uint8_t *is_arabic = views[B_ARABIC].buf, *distinct = views[B_DISTINCT].buf;
    const uint8_t *flags = views[B_FLAGS].buf;
    const double *penalty = views[B_PENALTY].buf;
    Py_ssize_t held = 0;
    result = PyList_New(0);
    if (result == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < wanted; i++) {
        /* The types come scattered over the table, each a few cache misses away (its rows, then
         * their texts): the loads of the types a few steps ahead are started now, in stages. */
        if (i + 6 < wanted) {
            long long ahead = type_at(ids, i + 6, types);
            if (ahead >= 0)
                __builtin_prefetch(&start[ahead]);
        }
        if (i + 3 < wanted) {
            long long ahead = type_at(ids, i + 3, types);
            if (ahead >= 0) {
                int64_t r = start[ahead];
                if (r >= 0 && r < rows) {
                    __builtin_prefetch(&shape[4 * r]);
                    __builtin_prefetch(&skel_id[r]);
                    __builtin_prefetch(&penalty[r]);
                    __builtin_prefetch(&flags[r]);
                    __builtin_prefetch((const int64_t *)views[B_FAM_START].buf + r);
                }
            }
        }
        if (i + 1 < wanted) {
            long long ahead = type_at(ids, i + 1, types);
            if (ahead >= 0) {
                int64_t r = start[ahead];
                if (r >= 0 && r < rows && shape[4 * r] >= 0 && shape[4 * r] < chars_count)
                    __builtin_prefetch(&chars[shape[4 * r]]);
            }
        }
        long long t = ids[i];
        if (t < 0 || t >= types || start[t] < 0 || start[t + 1] > rows || start[t] > start[t + 1]) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_IndexError, "type id %lld outside the form table", t);
            Py_CLEAR(result);
            goto done;
        }
        Py_ssize_t first_row = (Py_ssize_t)start[t], count = (Py_ssize_t)(start[t + 1] - start[t]);
        if (count > held) {
            Form *grown = PyMem_Realloc(listed, (size_t)count * sizeof(Form));
            if (grown == NULL) {
                PyErr_NoMemory();
                Py_CLEAR(result);
                goto done;
            }
            listed = grown;
            held = count;
        }
        for (Py_ssize_t k = 0; k < count; k++) {
            Py_ssize_t r = first_row + k;
            const int32_t *at = shape + 4 * r;
            Form *l = &listed[k];
            if (at[0] < 0 || at[1] < 0 || at[2] < 0 || at[3] < 0 ||
                (Py_ssize_t)at[0] + at[1] + at[2] + at[3] > chars_count) {
                PyErr_Format(PyExc_IndexError, "form %zd: its texts lie outside the chars column", r);
                Py_CLEAR(result);
                goto done;
            }
            l->phonetic = (Text){chars + at[0], at[1]};
            l->skeleton = (Text){chars + at[0] + at[1], at[2]};
            l->text = (Text){chars + at[0] + at[1] + at[2], at[3]};
            l->skeleton_id = skel_id[r];
            l->penalty = penalty[r];
            l->first = flags[r] & 1;
            l->noted = (flags[r] & 2) != 0;
            l->skeleton_str = l->note = NULL; /* read when a kept match's note is written */
            l->phonetic_masks = l->skeleton_masks = NULL;
            if (read_families(l, r, views[B_FAM_START].buf, views[B_FAM_IDS].buf, views[B_FAM_IDS].len / 4,
                              families) < 0) {
                Py_CLEAR(result);
                goto done;
            }
        }
        int cross = (is_arabic[t] != 0) != (q_arabic != 0);
        /* _token_match: the best over pairs of forms, first pair first; "different names" on the
         * two first forms decides at once. */
        PairMatch best = {0.0, 0.0, R_NONE, N_NONE, 0, 0}, m;
        Form *best_q = NULL, *best_l = NULL;
        int penalised = 0;
        for (Py_ssize_t f = 0; f < forms; f++) {
            for (Py_ssize_t k = 0; k < count; k++) {
                Form *fq = &q_forms[f], *fl = &listed[k];
                if (pair_match(fq, fl, cross, distinct, families, edit_floor, &m) < 0) {
                    Py_CLEAR(result);
                    goto done;
                }
                if (m.rule == R_DIFFERENT && fq->first && fl->first) {
                    best = m;
                    best_q = fq;
                    best_l = fl;
                    penalised = 0;
                    goto decided;
                }
                double cost = fq->penalty + fl->penalty;
                if (cost == 0.0 && !fq->noted && !fl->noted) {
                    if (m.score > best.score) {
                        best = m;
                        best_q = fq;
                        best_l = fl;
                        penalised = 0;
                    }
                    continue;
                }
                double score = m.score - cost > 0.0 ? m.score - cost : 0.0;
                if (score > best.score) {
                    best = m;
                    if (round4(score, &best.score) < 0) {
                        Py_CLEAR(result);
                        goto done;
                    }
                    best_q = fq;
                    best_l = fl;
                    penalised = 1;
                }
            }
        }
    decided:
        if (!(best.score >= min_score))
            continue;
        PyObject *note = NULL;
        if (best_q == NULL) {
            note = PyUnicode_FromString("");
        } else {
            /* The listed form's str are read only when the note writes them (each is a cache miss):
             * its skeleton for "skeletons A ~ B", its note (flagged) after a penalised score. */
            Py_ssize_t r = first_row + (best_l - listed);
            if (best.note == N_SKELETONS)
                best_l->skeleton_str = PyList_GET_ITEM(skeletons, r);
            if (penalised && best_l->noted)
                best_l->note = PyList_GET_ITEM(notes, r);
            if ((best_l->skeleton_str && !PyUnicode_Check(best_l->skeleton_str)) ||
                (best_l->note && !PyUnicode_Check(best_l->note)))
                PyErr_SetString(PyExc_TypeError, "the skeleton and note columns must hold str");
            else
                note = match_note(&best, best_q, best_l, penalised, family_names);
        }
        PyObject *found = note ? PyTuple_New(4) : NULL;
        if (found != NULL) {
            PyObject *items[3] = {PyLong_FromLongLong(t), PyFloat_FromDouble(best.score), PyLong_FromLong(best.rule)};
            PyTuple_SET_ITEM(found, 3, note);
            note = NULL;
            for (int k = 0; k < 3; k++) {
                if (items[k] == NULL) {
                    for (int j = k + 1; j < 3; j++)
                        Py_XDECREF(items[j]);
                    Py_CLEAR(found);
                    break;
                }
                PyTuple_SET_ITEM(found, k, items[k]);
            }
        }
        Py_XDECREF(note); /* not handed to a tuple */
        if (found == NULL || PyList_Append(result, found) < 0) {
            Py_XDECREF(found);
            Py_CLEAR(result);
            goto done;
        }
        Py_DECREF(found);
    }
done:
    for (int i = 0; i < opened; i++)
        PyBuffer_Release(&views[i]);
    PyMem_Free(owned_ids);
    PyMem_Free(listed);
    PyMem_Free(q_chars);
    PyMem_Free(q_masks);
    return result;
}

/* ---- union ------------------------------------------------------------------------------- */

static int
by_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

PyDoc_STRVAR(union_doc,
"union(lists, size, as_bytes=False) -> list of int (or bytes of int32 with `as_bytes`)\n\n"
"The ids (0 <= id < size) found in any of `lists` (int32 buffers: array('i')), each once, sorted:\n"
"the token types near a name part, gathered from the index's neighbourhood lists (which repeat\n"
"them many times over in a million spellings) without a Python set.");

/* One bit per id, all clear between calls (the union sets and clears its own): grown as needed. */
static uint64_t *id_bits = NULL;
static Py_ssize_t id_words = 0;

/* Puts an id at position `at` of a new list; -1 on error. */
static int
set_id(PyObject *list, Py_ssize_t at, int64_t id)
{
    PyObject *item = PyLong_FromLongLong(id);
    if (item == NULL)
        return -1;
    PyList_SET_ITEM(list, at, item);
    return 0;
}

static PyObject *
id_union(PyObject *self, PyObject *args)
{
    PyObject *lists;
    Py_ssize_t size;
    int as_bytes = 0;
    if (!PyArg_ParseTuple(args, "On|p", &lists, &size, &as_bytes))
        return NULL;
    if (size < 0 || size > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "size must be 0 to 2**31 - 1");
        return NULL;
    }
    PyObject *fast = PySequence_Fast(lists, "lists must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_ssize_t words = (size + 63) / 64;
    if (words > id_words) {
        uint64_t *grown = PyMem_Calloc((size_t)words, sizeof(uint64_t));
        if (grown == NULL) {
            Py_DECREF(fast);
            return PyErr_NoMemory();
        }
        PyMem_Free(id_bits);
        id_bits = grown;
        id_words = words;
    }
    Columns *out = begin_columns();
    PyObject *result = NULL;
    int failed = 0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(fast) && !failed; i++) {
        Py_buffer held;
        if (get_buffer(PySequence_Fast_GET_ITEM(fast, i), &held, 4, "i", "lists") < 0) {
            failed = 1;
            break;
        }
        const int32_t *ids = held.buf;
        Py_ssize_t n = held.len / 4;
        for (Py_ssize_t j = 0; j < n; j++) {
            int32_t id = ids[j];
            if (check_id(id, size) < 0 || columns_push(out, id, 0.0) < 0) {
                failed = 1;
                break;
            }
            uint64_t bit = (uint64_t)1 << (id & 63);
            if (id_bits[id >> 6] & bit)
                out->len--; /* met before: taken back */
            else
                id_bits[id >> 6] |= bit;
        }
        PyBuffer_Release(&held);
    }
    /* In order: by reading the bits when they are few words for the ids met (the usual case: a few
     * hundred types among some ten thousand), by sorting the ids met otherwise. Every bit set is
     * cleared on the way out, failed or not. */
    Py_ssize_t count = out->len;
    int scan = words <= 32 * (count + 1);
    if (!failed && !scan)
        qsort(out->ids, (size_t)count, sizeof(int64_t), by_id);
    int32_t *packed = NULL; /* with `as_bytes`: the ids written straight into a bytes object */
    if (!failed) {
        result = as_bytes ? PyBytes_FromStringAndSize(NULL, count * (Py_ssize_t)sizeof(int32_t))
                          : PyList_New(count);
        if (result != NULL && as_bytes)
            packed = (int32_t *)PyBytes_AS_STRING(result);
    }
    Py_ssize_t at = 0;
    if (scan) {
        for (Py_ssize_t w = 0; w < words; w++) {
            uint64_t x = id_bits[w];
            if (!x)
                continue;
            id_bits[w] = 0;
            while (x && result != NULL) {
                int64_t id = (int64_t)w * 64 + __builtin_ctzll(x);
                x &= x - 1;
                if (at == count) { /* a bit no list set: never, as every call clears its own */
                    PyErr_SetString(PyExc_SystemError, "the union's bit set was not clean");
                    Py_CLEAR(result);
                    break;
                }
                if (packed != NULL)
                    packed[at++] = (int32_t)id;
                else if (set_id(result, at++, id) < 0) {
                    Py_CLEAR(result);
                    break;
                }
            }
        }
    } else {
        for (Py_ssize_t k = 0; k < count; k++) {
            int64_t id = out->ids[k];
            id_bits[id >> 6] &= ~((uint64_t)1 << (id & 63));
            if (packed != NULL)
                packed[at++] = (int32_t)id;
            else if (result != NULL && set_id(result, at++, id) < 0)
                Py_CLEAR(result);
        }
    }
    Py_DECREF(fast);
    return result;
}

/* ---- day_sums ---------------------------------------------------------------------------- */

typedef struct {
    double *sums;
} DayState;

static int
visit_day(int64_t id, double gain, void *state)
{
    int64_t at = met_at(id);
    if (at >= 0)
        ((DayState *)state)->sums[at] += gain; /* a name appears once per map */
    return 0;
}

PyDoc_STRVAR(day_sums_doc,
"day_sums(ids, maps, names) -> sums bytes\n\n"
"For the names `ids` (int64, each once) of an index of `names` names, the sum of their gains over\n"
"the maps (dicts or (ids, gains) pairs) in map order, from 0.0; float64, in the order of `ids`.");

static PyObject *
day_sums(PyObject *self, PyObject *args)
{
    PyObject *ids_obj, *maps;
    Py_ssize_t names;
    if (!PyArg_ParseTuple(args, "OOn", &ids_obj, &maps, &names))
        return NULL;
    PyObject *fast = PySequence_Fast(maps, "maps must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_buffer ids;
    PyObject *result = NULL;
    if (get_buffer(ids_obj, &ids, 8, "lq", "ids") < 0) {
        Py_DECREF(fast);
        return NULL;
    }
    Py_ssize_t count = ids.len / 8;
    result = PyBytes_FromStringAndSize(NULL, count * (Py_ssize_t)sizeof(double));
    if (result == NULL || begin_merge(names) < 0)
        goto fail;
    DayState state = {(double *)PyBytes_AS_STRING(result)};
    const int64_t *day = ids.buf;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (check_id(day[i], names) < 0)
            goto fail;
        meet(day[i], i);
        state.sums[i] = 0.0;
    }
    if (each_map(fast, names, visit_day, &state) < 0)
        goto fail;
    PyBuffer_Release(&ids);
    Py_DECREF(fast);
    return result;
fail:
    Py_XDECREF(result);
    PyBuffer_Release(&ids);
    Py_DECREF(fast);
    return NULL;
}

/* ---- survivors --------------------------------------------------------------------------- */

static int
visit_sum(int64_t id, double gain, void *state)
{
    Columns *out = (Columns *)state;
    int64_t at = met_at(id);
    if (at >= 0) {
        out->values[at] += gain;
        return 0;
    }
    /* As numpy's bincount: every sum starts from 0.0 and adds the maps' gains in their order. */
    meet(id, out->len);
    return columns_push(out, id, 0.0 + gain);
}

typedef struct {
    int64_t name;
    double matched, bound;
} Survivor;

/* Best first: the higher bound, then the lower name id (numpy.lexsort((names, -bound))). */
static inline int
before(const Survivor *x, const Survivor *y)
{
    return x->bound > y->bound || (x->bound == y->bound && x->name < y->name);
}

static int
by_bound_then_name(const void *a, const void *b)
{
    return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

/* The best `size` survivors met so far, as a heap with the last in order at its root. */
static void
heap_sift_down(Survivor *heap, Py_ssize_t size, Py_ssize_t at)
{
    for (;;) {
        Py_ssize_t child = 2 * at + 1, last = at;
        if (child < size && before(&heap[last], &heap[child]))
            last = child;
        if (child + 1 < size && before(&heap[last], &heap[child + 1]))
            last = child + 1;
        if (last == at)
            return;
        Survivor held = heap[at];
        heap[at] = heap[last];
        heap[last] = held;
        at = last;
    }
}

static void
heap_push(Survivor *heap, Py_ssize_t *size, Py_ssize_t limit, Survivor found)
{
    if (*size < limit) { /* not full: sift the new one up */
        Py_ssize_t at = (*size)++;
        while (at > 0 && before(&heap[(at - 1) / 2], &found)) {
            heap[at] = heap[(at - 1) / 2];
            at = (at - 1) / 2;
        }
        heap[at] = found;
    } else if (limit > 0 && before(&found, &heap[0])) { /* better than the last kept: replaces it */
        heap[0] = found;
        heap_sift_down(heap, *size, 0);
    }
}

enum { DAY = 0, UNDATED = 5, CLASSES = 6 };

static int
read_six(PyObject *obj, double out[CLASSES], const char *what)
{
    PyObject *fast = PySequence_Fast(obj, what);
    if (fast == NULL)
        return -1;
    if (PySequence_Fast_GET_SIZE(fast) != CLASSES) {
        PyErr_Format(PyExc_ValueError, "%s: expected %d values", what, CLASSES);
        Py_DECREF(fast);
        return -1;
    }
    for (int i = 0; i < CLASSES; i++) {
        if (read_gain(PySequence_Fast_GET_ITEM(fast, i), &out[i]) < 0) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

/* A listed name's facts for the bound, one record per name (built by screening._Vectors). */
typedef struct {
    int32_t dates;  /* its birth-date group */
    int32_t facts;  /* its nationality-and-gender group; -1 - group for a weak alias */
    double weight;  /* its listed weight */
} NameRecord;
_Static_assert(sizeof(NameRecord) == 16, "a name record is 16 bytes, as screening._Vectors packs it");

PyDoc_STRVAR(survivors_doc,
"survivors(maps, day_ids, day_sums, floor, classes, names, facts, rest, dob_best, scalars,\n"
"          max_candidates) -> list of (name id, bound of the summed gain, bound of z)\n\n"
"The bound of `screening._Vectors.survivors`, in one pass: the gains of the maps summed per name\n"
"(in map order), the names below `floor` dropped, the names born on the traveller's day (unique\n"
"`day_ids`) taking their `day_sums`, then each name's class, facts and name terms bounded; the\n"
"names reaching min_z, best bound first (then name id), at most `max_candidates`.\n\n"
"classes: int8 per birth-date group, or None (no birth date: every name undated).\n"
"names: the per-name records, 16 bytes each (int32 birth-date group, int32 facts group or -1 -\n"
"group for a weak alias, float64 listed weight). facts: float64 per facts group.\n"
"scalars: (z_base, document, traveller_weight, w_ct, w_cl, slope, slope_undated,\n"
"weak_alias_factor, min_z), z_base being base + document_z.");

/* The buffers `survivors` reads, released together. */
typedef struct {
    Py_buffer records, facts, classes, day_ids, day_sums;
    int held; /* how many of the above are held, in that order */
} SurvivorBuffers;

static void
survivor_buffers_release(SurvivorBuffers *b)
{
    Py_buffer *views[] = {&b->records, &b->facts, &b->classes, &b->day_ids, &b->day_sums};
    for (int i = 0; i < b->held; i++) {
        if (views[i]->obj != NULL || views[i]->buf != NULL)
            PyBuffer_Release(views[i]);
    }
}

static PyObject *
survivors(PyObject *self, PyObject *args)
{
    PyObject *maps, *day_ids_obj, *day_sums_obj, *classes_obj, *records_obj, *facts_obj, *rest_obj, *dob_obj;
    double floor;
    Py_ssize_t max_candidates;
    double z_base, document, tw, w_ct, w_cl, slope, slope_undated, weak_factor, min_z;
    if (!PyArg_ParseTuple(args, "OOOdOOOOO(ddddddddd)n", &maps, &day_ids_obj, &day_sums_obj, &floor,
                          &classes_obj, &records_obj, &facts_obj, &rest_obj, &dob_obj, &z_base, &document,
                          &tw, &w_ct, &w_cl, &slope, &slope_undated, &weak_factor, &min_z,
                          &max_candidates))
        return NULL;
    double rest[CLASSES], dob_best[CLASSES];
    if (read_six(rest_obj, rest, "rest") < 0 || read_six(dob_obj, dob_best, "dob_best") < 0)
        return NULL;
    PyObject *fast = PySequence_Fast(maps, "maps must be a sequence");
    if (fast == NULL)
        return NULL;
    SurvivorBuffers b;
    memset(&b, 0, sizeof(b));
    Columns *merged = begin_columns();
    Survivor *kept = NULL;
    PyObject *result = NULL;
    if (get_buffer(records_obj, &b.records, 1, NULL, "names") < 0)
        goto done;
    b.held = 1;
    if (get_buffer(facts_obj, &b.facts, 8, "d", "facts") < 0)
        goto done;
    b.held = 2;
    if (classes_obj != Py_None && get_buffer(classes_obj, &b.classes, 1, "bB", "classes") < 0)
        goto done;
    b.held = 3;
    if (get_buffer(day_ids_obj, &b.day_ids, 8, "lq", "day_ids") < 0)
        goto done;
    b.held = 4;
    if (get_buffer(day_sums_obj, &b.day_sums, 8, "d", "day_sums") < 0)
        goto done;
    b.held = 5;
    if (b.records.len % (Py_ssize_t)sizeof(NameRecord) != 0 || b.day_ids.len != b.day_sums.len) {
        PyErr_SetString(PyExc_ValueError, "the name records (or the day's ids and sums) do not fit");
        goto done;
    }
    Py_ssize_t names = b.records.len / (Py_ssize_t)sizeof(NameRecord);
    if (begin_merge(names) < 0)
        goto done;
    if (each_map(fast, names, visit_sum, merged) < 0)
        goto done;
    /* The names born on the traveller's day: their day sums win over what the maps found, so they
     * are struck from the merged names (id -1). */
    const int64_t *day = b.day_ids.buf;
    const double *day_sum = b.day_sums.buf;
    Py_ssize_t day_count = b.day_ids.len / 8;
    for (Py_ssize_t i = 0; i < day_count; i++) {
        if (check_id(day[i], names) < 0)
            goto done;
        int64_t at = met_at(day[i]);
        if (at >= 0)
            merged->ids[at] = -1;
    }
    const NameRecord *records = b.records.buf;
    const int8_t *klass_of = classes_obj != Py_None ? b.classes.buf : NULL;
    Py_ssize_t groups = classes_obj != Py_None ? b.classes.len : 0;
    const double *group_facts = b.facts.buf;
    Py_ssize_t fact_groups = b.facts.len / 8;
    /* Only the best max_candidates are ever aligned: kept in a heap as they come, then sorted. */
    Py_ssize_t limit = merged->len + day_count;
    if (max_candidates >= 0 && max_candidates < limit)
        limit = max_candidates;
    kept = PyMem_Malloc((size_t)(limit + 1) * sizeof(Survivor));
    if (kept == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < merged->len + day_count; i++) {
        int64_t name;
        double matched;
        int on_day;
        if (i + AHEAD < merged->len && merged->ids[i + AHEAD] >= 0)
            __builtin_prefetch(&records[merged->ids[i + AHEAD]]);
        if (i < merged->len) {
            /* The floor first: most names met hold one cheap part, and are dropped unread. */
            matched = merged->values[i];
            if (floor > 0.0 && !(matched >= floor - 1e-9))
                continue;
            name = merged->ids[i];
            if (name < 0)
                continue; /* born on the day: taken from the day's sums below */
            on_day = 0;
        } else {
            name = day[i - merged->len];
            matched = day_sum[i - merged->len];
            on_day = 1;
        }
        const NameRecord *record = &records[name];
        int k;
        if (klass_of == NULL) {
            k = UNDATED;
        } else if (on_day) {
            k = DAY;
        } else {
            if (record->dates < 0 || record->dates >= groups) {
                PyErr_SetString(PyExc_IndexError, "a name's birth-date group is outside the classes");
                goto done;
            }
            k = klass_of[record->dates];
            if (k < 0 || k >= CLASSES) {
                PyErr_SetString(PyExc_ValueError, "a birth-date class outside 0..5");
                goto done;
            }
        }
        matched = matched + (k == DAY ? 0.0 : rest[k]);
        int is_weak = record->facts < 0;
        if (is_weak && k != DAY && !(document > 0.0))
            continue; /* a weak alias alone never alerts */
        int32_t group = is_weak ? -1 - record->facts : record->facts;
        if (group >= fact_groups) {
            PyErr_SetString(PyExc_IndexError, "a name's facts group is outside the facts");
            goto done;
        }
        /* The terms and their order are numpy's in `_Vectors.survivors_numpy` (the same floats). */
        double z = z_base + group_facts[group] + dob_best[k];
        double cov_t = 1.0;
        if (tw > 0.0) {
            double share = matched / tw;
            cov_t = share < 1.0 || share != share ? share : 1.0; /* numpy.minimum: NaN stays NaN */
        }
        double cov_l = 1.0;
        if (record->weight > 0.0) {
            double share = matched / record->weight;
            cov_l = share < 1.0 || share != share ? share : 1.0;
        }
        double z_name = w_ct * cov_t + w_cl * cov_l + (k == UNDATED ? slope_undated : slope) * matched;
        if (is_weak) {
            double scaled = z_name * weak_factor;
            z_name = scaled > z_name || scaled != scaled ? scaled : z_name; /* numpy.maximum */
        }
        double bound = z + z_name;
        if (bound >= min_z) {
            Survivor found = {name, matched, bound};
            heap_push(kept, &count, limit, found);
        }
    }
    qsort(kept, (size_t)count, sizeof(Survivor), by_bound_then_name);
    result = PyList_New(count);
    if (result == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = Py_BuildValue("(Ldd)", (long long)kept[i].name, kept[i].matched, kept[i].bound);
        if (item == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, i, item);
    }
done:
    PyMem_Free(kept);
    survivor_buffers_release(&b);
    Py_DECREF(fast);
    return result;
}

static PyMethodDef methods[] = {
    {"first_gains", first_gains, METH_VARARGS, first_gains_doc},
    {"year_gains", year_gains, METH_VARARGS, year_gains_doc},
    {"day_sums", day_sums, METH_VARARGS, day_sums_doc},
    {"union", id_union, METH_VARARGS, union_doc},
    {"token_scores", token_scores, METH_VARARGS, token_scores_doc},
    {"distance", distance, METH_VARARGS, distance_doc},
    {"survivors", survivors, METH_VARARGS, survivors_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "borderwatch.domain._gains",
    "The bounded search's merges of gains per listed name, in one pass each (see _gains.c).",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__gains(void)
{
    return PyModule_Create(&module);
}
