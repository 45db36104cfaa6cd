/* amitui.protocol._lines: split_lines() and lowered() of lines.py in C, an optional speed-up.
 *
 * Splitting each event's text into header pairs is most of what call tracing, the catalog and
 * the live tables cost under a flood (bench/console.py). The rules are lines.py's, and
 * tests/protocol/test_lines_speedup.py holds both versions to the same answers:
 *
 *   - a line ends at LF (or at the end of the text); one CR right before an LF belongs to
 *     the line end;
 *   - empty lines are dropped;
 *   - a line is split at its first colon when something comes before it, and exactly one
 *     space after the colon is dropped; any other line is a loose line.
 *
 * Only the str API of the limited set below is used, on any string kind.
 *
 * Header names are shared: the first "Channel" seen is handed out for every later one. Every
 * reader looks names up in dicts (the catalog per header, call tracing, the live tables), and
 * a shared name carries its hash, so those lookups skip hashing and often comparing. A known
 * name is found from the text's characters, so no string is made for it at all, and each
 * event's headers free fewer objects when done with. The only state kept between calls is
 * that table, and it is bounded: names up to NAME_MAX_LEN characters, NAMES_MAX of them; past
 * that (a peer inventing names), a name is simply not shared.
 *
 * lowered() is the live tables' view of an event: lowercase names, the first value of each.
 * The lowercase copies are kept in a second table, bounded the same way.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define NAMES_MAX 4096
#define NAME_MAX_LEN 64
#define SLOTS 8192 /* a power of two, twice NAMES_MAX: probes stay short */

/* The shared names, by a hash of their characters, so that a known name is found without
 * making a string of it first. Open addressing; entries are never removed. */
static PyObject *slots[SLOTS];
static Py_ssize_t kept;

/* The first `ch` in data[start:end], or -1. Text of one byte per character (nearly all AMI
 * text) is searched with memchr. */
static Py_ssize_t
find(int kind, const void *data, Py_ssize_t start, Py_ssize_t end, Py_UCS4 ch)
{
    if (kind == PyUnicode_1BYTE_KIND) {
        const char *base = (const char *)data;
        const char *hit = memchr(base + start, (int)ch, (size_t)(end - start));
        return hit == NULL ? -1 : hit - base;
    }
    for (Py_ssize_t i = start; i < end; i++) {
        if (PyUnicode_READ(kind, data, i) == ch) {
            return i;
        }
    }
    return -1;
}

static int
same_chars(PyObject *known, int kind, const void *data, Py_ssize_t start, Py_ssize_t len)
{
    if (PyUnicode_GET_LENGTH(known) != len) {
        return 0;
    }
    int known_kind = PyUnicode_KIND(known);
    const void *known_data = PyUnicode_DATA(known);
    if (kind == PyUnicode_1BYTE_KIND && known_kind == PyUnicode_1BYTE_KIND) {
        return memcmp((const char *)data + start, known_data, (size_t)len) == 0;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        if (PyUnicode_READ(kind, data, start + i) != PyUnicode_READ(known_kind, known_data, i)) {
            return 0;
        }
    }
    return 1;
}

/* The name text[start:end], shared (a new reference; NULL on error). */
static PyObject *
name_at(PyObject *text, int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t len = end - start;
    if (len > NAME_MAX_LEN) {
        return PyUnicode_Substring(text, start, end);
    }
    uint32_t h = 2166136261u; /* FNV-1a over the code points */
    for (Py_ssize_t i = start; i < end; i++) {
        h = (h ^ (uint32_t)PyUnicode_READ(kind, data, i)) * 16777619u;
    }
    size_t slot = h & (SLOTS - 1);
    PyObject *known;
    while ((known = slots[slot]) != NULL) {
        if (same_chars(known, kind, data, start, len)) {
            Py_INCREF(known);
            return known;
        }
        slot = (slot + 1) & (SLOTS - 1);
    }
    PyObject *name = PyUnicode_Substring(text, start, end);
    if (name != NULL && kept < NAMES_MAX) {
        Py_INCREF(name);
        slots[slot] = name;
        kept += 1;
    }
    return name;
}

static int
add_line(PyObject *text, int kind, const void *data, Py_ssize_t start, Py_ssize_t end,
         int at_lf, PyObject *headers, PyObject *loose)
{
    if (at_lf && end > start && PyUnicode_READ(kind, data, end - 1) == '\r') {
        end -= 1;
    }
    if (end <= start) {
        return 0;
    }
    Py_ssize_t colon = find(kind, data, start, end, ':');
    if (colon <= start) { /* no colon, or nothing before it */
        PyObject *line = PyUnicode_Substring(text, start, end);
        if (line == NULL) {
            return -1;
        }
        int failed = PyList_Append(loose, line);
        Py_DECREF(line);
        return failed;
    }
    Py_ssize_t value = colon + 1;
    if (value < end && PyUnicode_READ(kind, data, value) == ' ') {
        value += 1;
    }
    PyObject *pair = PyTuple_New(2);
    if (pair == NULL) {
        return -1;
    }
    PyObject *key = name_at(text, kind, data, start, colon);
    PyObject *val = key == NULL ? NULL : PyUnicode_Substring(text, value, end);
    PyTuple_SET_ITEM(pair, 0, key); /* the tuple owns them, NULL or not */
    PyTuple_SET_ITEM(pair, 1, val);
    int failed = val == NULL ? -1 : PyList_Append(headers, pair);
    Py_DECREF(pair);
    return failed;
}

static PyObject *
split_lines(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "split_lines() wants a str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *headers = PyList_New(0);
    PyObject *loose = PyList_New(0);
    if (headers == NULL || loose == NULL) {
        goto fail;
    }
    Py_ssize_t start = 0;
    Py_ssize_t lf;
    while ((lf = find(kind, data, start, n, '\n')) >= 0) {
        if (add_line(text, kind, data, start, lf, 1, headers, loose) < 0) {
            goto fail;
        }
        start = lf + 1;
    }
    if (add_line(text, kind, data, start, n, 0, headers, loose) < 0) {
        goto fail;
    }
    PyObject *result = PyTuple_New(2);
    if (result != NULL) { /* the tuple owns what it holds, NULL or not */
        PyTuple_SET_ITEM(result, 0, PyList_AsTuple(headers));
        PyTuple_SET_ITEM(result, 1, PyList_AsTuple(loose));
        if (PyTuple_GET_ITEM(result, 0) == NULL || PyTuple_GET_ITEM(result, 1) == NULL) {
            Py_CLEAR(result);
        }
    }
    Py_DECREF(headers);
    Py_DECREF(loose);
    return result;
fail:
    Py_XDECREF(headers);
    Py_XDECREF(loose);
    return NULL;
}

static PyObject *
names_kept(PyObject *module, PyObject *unused)
{
    return PyLong_FromSsize_t(kept);
}

/* lowered(): a name's lowercase copy, one per name, at most NAMES_MAX of them. Keyed by the
 * shared names above, so a lookup mostly compares pointers. */
static PyObject *lower_of;

static PyObject *
lower_name(PyObject *name)
{
    PyObject *low = PyDict_GetItemWithError(lower_of, name);
    if (low != NULL) {
        Py_INCREF(low);
        return low;
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    low = PyObject_CallMethod(name, "lower", NULL);
    if (low != NULL && PyDict_GET_SIZE(lower_of) < NAMES_MAX
        && PyDict_SetItem(lower_of, name, low) < 0) {
        Py_CLEAR(low);
    }
    return low;
}

static PyObject *
lowered(PyObject *module, PyObject *headers)
{
    PyObject *seq = PySequence_Fast(headers, "lowered() wants a sequence of (name, value)");
    if (seq == NULL) {
        return NULL;
    }
    PyObject *out = PyDict_New();
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; out != NULL && i < n; i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2
            || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0))) {
            PyErr_SetString(PyExc_TypeError, "lowered() wants (str, value) pairs");
            Py_CLEAR(out);
            break;
        }
        PyObject *low = lower_name(PyTuple_GET_ITEM(pair, 0));
        if (low == NULL || PyDict_SetDefault(out, low, PyTuple_GET_ITEM(pair, 1)) == NULL) {
            Py_CLEAR(out); /* the first value of a name stays: SetDefault */
        }
        Py_XDECREF(low);
    }
    Py_DECREF(seq);
    return out;
}

static PyObject *
lowered_kept(PyObject *module, PyObject *unused)
{
    return PyLong_FromSsize_t(PyDict_GET_SIZE(lower_of));
}

static PyMethodDef methods[] = {
    {"split_lines", split_lines, METH_O,
     "split_lines(text) -> (headers, loose): a packet's text as a tuple of header pairs and a\n"
     "tuple of loose lines."},
    {"names_kept", names_kept, METH_NOARGS,
     "names_kept() -> int: how many header names are shared (at most 4096)."},
    {"lowered", lowered, METH_O,
     "lowered(headers) -> dict: lowercase name -> the name's first value."},
    {"lowered_kept", lowered_kept, METH_NOARGS,
     "lowered_kept() -> int: how many lowercase names are kept (at most 4096)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_lines", "lines.py's split_lines and lowered in C (optional).", -1, methods,
};

PyMODINIT_FUNC
PyInit__lines(void)
{
    lower_of = PyDict_New();
    if (lower_of == NULL) {
        return NULL;
    }
    return PyModule_Create(&module);
}
