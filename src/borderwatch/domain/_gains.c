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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
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

/* Reads one map of gains per name: a dict {int: float}, or a pair (int64 ids, float64 gains). */
typedef struct {
    PyObject *dict;
    Py_buffer ids, gains;
    int has_buffers;
} GainMap;

static int
gain_map_open(PyObject *obj, GainMap *map)
{
    memset(map, 0, sizeof(*map));
    if (PyDict_Check(obj)) {
        map->dict = obj;
        return 0;
    }
    if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != 2) {
        PyErr_SetString(PyExc_TypeError, "a map of gains is a dict or a pair (ids, gains)");
        return -1;
    }
    if (get_buffer(PyTuple_GET_ITEM(obj, 0), &map->ids, 8, "lq", "map ids") < 0)
        return -1;
    if (get_buffer(PyTuple_GET_ITEM(obj, 1), &map->gains, 8, "d", "map gains") < 0) {
        PyBuffer_Release(&map->ids);
        return -1;
    }
    if (map->ids.len != map->gains.len) {
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
    const int64_t *ids = map->ids.buf;
    const double *gains = map->gains.buf;
    Py_ssize_t count = map->ids.len / 8;
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

/* ---- best_gains -------------------------------------------------------------------------- */

typedef struct {
    Columns *out;
} BestState;

static int
visit_best(int64_t id, double gain, void *state)
{
    Columns *out = ((BestState *)state)->out;
    int64_t at = met_at(id);
    if (at >= 0) {
        double *held = &out->values[at];
        if (*held < gain)
            *held = gain;
        return 0;
    }
    meet(id, out->len);
    return columns_push(out, id, gain);
}

PyDoc_STRVAR(best_gains_doc,
"best_gains(maps, names) -> (ids bytes, gains bytes)\n\n"
"Each name's best gain over several maps (dicts or (ids, gains) pairs) of an index of `names`\n"
"names; names in the order first met.");

static PyObject *
best_gains(PyObject *self, PyObject *args)
{
    PyObject *maps;
    Py_ssize_t names;
    if (!PyArg_ParseTuple(args, "On", &maps, &names))
        return NULL;
    PyObject *fast = PySequence_Fast(maps, "maps must be a sequence");
    if (fast == NULL)
        return NULL;
    Columns *out = begin_columns();
    PyObject *result = NULL;
    if (begin_merge(names) < 0)
        goto done;
    BestState state = {out};
    if (each_map(fast, names, visit_best, &state) < 0)
        goto done;
    result = columns_as_bytes(out);
done:
    Py_DECREF(fast);
    return result;
}

/* ---- form_filter ------------------------------------------------------------------------- */

/* The Levenshtein distance of two strings (code points), or `limit` + 1 once it must exceed `limit`. */
static Py_ssize_t
edit_distance(PyObject *a, PyObject *b, Py_ssize_t limit)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(a), m = PyUnicode_GET_LENGTH(b);
    if ((n > m ? n - m : m - n) > limit)
        return limit + 1;
    int ka = PyUnicode_KIND(a), kb = PyUnicode_KIND(b);
    const void *da = PyUnicode_DATA(a), *db = PyUnicode_DATA(b);
    Py_ssize_t small[2][65];
    Py_ssize_t *rows = NULL;
    Py_ssize_t *prev, *cur;
    if (m < 65) {
        prev = small[0];
        cur = small[1];
    } else {
        rows = PyMem_Malloc(2 * (size_t)(m + 1) * sizeof(Py_ssize_t));
        if (rows == NULL)
            return -1;
        prev = rows;
        cur = rows + m + 1;
    }
    for (Py_ssize_t j = 0; j <= m; j++)
        prev[j] = j;
    for (Py_ssize_t i = 1; i <= n; i++) {
        Py_UCS4 ca = PyUnicode_READ(ka, da, i - 1);
        cur[0] = i;
        Py_ssize_t row_best = cur[0];
        for (Py_ssize_t j = 1; j <= m; j++) {
            Py_ssize_t best = prev[j - 1] + (ca != PyUnicode_READ(kb, db, j - 1));
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

/* The length of the common start of two strings. */
static Py_ssize_t
common_prefix(PyObject *a, PyObject *b)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(a), m = PyUnicode_GET_LENGTH(b), k = 0;
    int ka = PyUnicode_KIND(a), kb = PyUnicode_KIND(b);
    const void *da = PyUnicode_DATA(a), *db = PyUnicode_DATA(b);
    while (k < n && k < m && PyUnicode_READ(ka, da, k) == PyUnicode_READ(kb, db, k))
        k++;
    return k;
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

PyDoc_STRVAR(form_filter_doc,
"form_filter(type_ids, start, arabic, phonetic, skeleton, skeleton_id, text, q_phonetic, q_skeleton,\n"
"            q_skeleton_id, q_text, q_arabic, ratio_floor) -> bytes (1 per type kept)\n\n"
"`names.index._FormTable.possible`'s conditions, pair of forms by pair of forms (the families\n"
"aside): same skeleton id; phonetic keys both 3 letters or more with a Levenshtein similarity\n"
"(1 - distance / longer length) of `ratio_floor` or more; one text the start of the other, the\n"
"shorter 5 letters or more or 1; across scripts (`arabic` differs from `q_arabic`), skeletons\n"
"both 3 letters or more one edit apart. A type's forms are the rows start[t] to start[t + 1] of\n"
"the lists; the query's forms are the q_ lists.");

static PyObject *
form_filter(PyObject *self, PyObject *args)
{
    PyObject *type_ids, *start_obj, *arabic_obj, *phonetic, *skeleton, *skel_id_obj, *text;
    PyObject *q_phonetic, *q_skeleton, *q_skel_ids, *q_text;
    int q_arabic;
    double ratio_floor;
    if (!PyArg_ParseTuple(args, "O!OOO!O!OO!O!O!O!O!pd", &PyList_Type, &type_ids, &start_obj, &arabic_obj,
                          &PyList_Type, &phonetic, &PyList_Type, &skeleton, &skel_id_obj, &PyList_Type,
                          &text, &PyList_Type, &q_phonetic, &PyList_Type, &q_skeleton, &PyList_Type,
                          &q_skel_ids, &PyList_Type, &q_text, &q_arabic, &ratio_floor))
        return NULL;
    Py_ssize_t forms = PyList_GET_SIZE(q_phonetic);
    if (PyList_GET_SIZE(q_skeleton) != forms || PyList_GET_SIZE(q_skel_ids) != forms ||
        PyList_GET_SIZE(q_text) != forms || all_str(q_phonetic, "q_phonetic") < 0 ||
        all_str(q_skeleton, "q_skeleton") < 0 || all_str(q_text, "q_text") < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "the query's form lists differ in length");
        return NULL;
    }
    Py_ssize_t rows_count = PyList_GET_SIZE(phonetic);
    if (PyList_GET_SIZE(skeleton) != rows_count || PyList_GET_SIZE(text) != rows_count) {
        PyErr_SetString(PyExc_ValueError, "the form columns differ in length");
        return NULL;
    }
    int64_t wanted[64];
    if (forms > 64) {
        PyErr_SetString(PyExc_ValueError, "a name part has more than 64 forms");
        return NULL;
    }
    for (Py_ssize_t f = 0; f < forms; f++) {
        wanted[f] = PyLong_AsLongLong(PyList_GET_ITEM(q_skel_ids, f));
        if (wanted[f] == -1 && PyErr_Occurred())
            return NULL;
    }
    Py_buffer start, arabic, skel_ids;
    if (get_buffer(start_obj, &start, 8, "lq", "start") < 0)
        return NULL;
    if (get_buffer(arabic_obj, &arabic, 1, NULL, "arabic") < 0) {
        PyBuffer_Release(&start);
        return NULL;
    }
    if (get_buffer(skel_id_obj, &skel_ids, 8, "lq", "skeleton_id") < 0) {
        PyBuffer_Release(&start);
        PyBuffer_Release(&arabic);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t types = arabic.len, count = PyList_GET_SIZE(type_ids);
    if (start.len / 8 != types + 1 || skel_ids.len / 8 != rows_count) {
        PyErr_SetString(PyExc_ValueError, "start, arabic and skeleton_id do not fit the columns");
        goto done;
    }
    result = PyBytes_FromStringAndSize(NULL, count);
    if (result == NULL)
        goto done;
    uint8_t *keep = (uint8_t *)PyBytes_AS_STRING(result);
    const int64_t *first = start.buf, *skeleton_id = skel_ids.buf;
    const uint8_t *is_arabic = arabic.buf;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(type_ids, i);
        long long t = PyLong_Check(item) ? PyLong_AsLongLong(item) : -1;
        if (t < 0 || t >= types || first[t] < 0 || first[t + 1] > rows_count || first[t] > first[t + 1]) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_IndexError, "type id %lld outside the form table", t);
            Py_CLEAR(result);
            goto done;
        }
        int cross = (is_arabic[t] != 0) != (q_arabic != 0), ok = 0;
        for (int64_t r = first[t]; r < first[t + 1] && !ok; r++) {
            PyObject *p = PyList_GET_ITEM(phonetic, r), *x = PyList_GET_ITEM(text, r);
            PyObject *k = PyList_GET_ITEM(skeleton, r);
            if (!PyUnicode_Check(p) || !PyUnicode_Check(x) || !PyUnicode_Check(k)) {
                PyErr_SetString(PyExc_TypeError, "the form columns must hold str");
                Py_CLEAR(result);
                goto done;
            }
            for (Py_ssize_t f = 0; f < forms && !ok; f++) {
                if (skeleton_id[r] == wanted[f]) {
                    ok = 1;
                    break;
                }
                PyObject *qp = PyList_GET_ITEM(q_phonetic, f), *qx = PyList_GET_ITEM(q_text, f);
                Py_ssize_t lx = PyUnicode_GET_LENGTH(x), lqx = PyUnicode_GET_LENGTH(qx);
                Py_ssize_t shorter = lx < lqx ? lx : lqx;
                if ((shorter >= 5 || shorter == 1) && common_prefix(qx, x) == shorter) {
                    ok = 1;
                    break;
                }
                Py_ssize_t lp = PyUnicode_GET_LENGTH(p), lq = PyUnicode_GET_LENGTH(qp);
                if ((lp < lq ? lp : lq) >= 3) {
                    Py_ssize_t longer = lp > lq ? lp : lq;
                    /* A distance above (1 - floor) * longer cannot reach the floor: the computation
                     * stops there (one more allowed for rounding), and the ratio is tested exactly. */
                    Py_ssize_t limit = (Py_ssize_t)((1.0 - ratio_floor) * (double)longer) + 1;
                    Py_ssize_t d = edit_distance(qp, p, limit);
                    if (d < 0) {
                        Py_CLEAR(result);
                        goto done;
                    }
                    if (d <= limit && 1.0 - (double)d / (double)longer >= ratio_floor) {
                        ok = 1;
                        break;
                    }
                }
                if (cross) {
                    PyObject *qk = PyList_GET_ITEM(q_skeleton, f);
                    Py_ssize_t lk = PyUnicode_GET_LENGTH(k), lqk = PyUnicode_GET_LENGTH(qk);
                    if ((lk < lqk ? lk : lqk) >= 3) {
                        Py_ssize_t d = edit_distance(qk, k, 1);
                        if (d < 0) {
                            Py_CLEAR(result);
                            goto done;
                        }
                        if (d <= 1) {
                            ok = 1;
                            break;
                        }
                    }
                }
            }
        }
        keep[i] = (uint8_t)ok;
    }
done:
    PyBuffer_Release(&start);
    PyBuffer_Release(&arabic);
    PyBuffer_Release(&skel_ids);
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
"union(lists, size) -> list of int\n\n"
"The ids (0 <= id < size) found in any of `lists` (int32 buffers: array('i')), each once, sorted:\n"
"the token types near a name part, gathered from the index's neighbourhood lists (which repeat\n"
"them many times over in a million spellings) without a Python set.");

static PyObject *
id_union(PyObject *self, PyObject *args)
{
    PyObject *lists;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "On", &lists, &size))
        return NULL;
    PyObject *fast = PySequence_Fast(lists, "lists must be a sequence");
    if (fast == NULL)
        return NULL;
    Columns *out = begin_columns();
    PyObject *result = NULL;
    if (begin_merge(size) < 0)
        goto done;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
        Py_buffer held;
        if (get_buffer(PySequence_Fast_GET_ITEM(fast, i), &held, 4, "i", "lists") < 0)
            goto done;
        const int32_t *ids = held.buf;
        Py_ssize_t n = held.len / 4;
        for (Py_ssize_t j = 0; j < n; j++) {
            int32_t id = ids[j];
            if (check_id(id, size) < 0) {
                PyBuffer_Release(&held);
                goto done;
            }
            if (met_at(id) >= 0)
                continue;
            meet(id, out->len);
            if (columns_push(out, id, 0.0) < 0) {
                PyBuffer_Release(&held);
                goto done;
            }
        }
        PyBuffer_Release(&held);
    }
    qsort(out->ids, (size_t)out->len, sizeof(int64_t), by_id);
    result = PyList_New(out->len);
    if (result == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < out->len; i++) {
        PyObject *id = PyLong_FromLongLong(out->ids[i]);
        if (id == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, i, id);
    }
done:
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
    {"best_gains", best_gains, METH_VARARGS, best_gains_doc},
    {"day_sums", day_sums, METH_VARARGS, day_sums_doc},
    {"union", id_union, METH_VARARGS, union_doc},
    {"form_filter", form_filter, METH_VARARGS, form_filter_doc},
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
