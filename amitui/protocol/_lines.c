/* amitui.protocol._lines: split_lines() of lines.py in C, an optional speed-up.
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
 * a shared name carries its hash, so those lookups skip hashing and often comparing; the
 * fresh copy is freed at once, and each event's headers free fewer objects when done with.
 * The only state kept between calls is that table, and it is bounded: names up to
 * NAME_MAX_LEN characters, NAMES_MAX of them; past that (a peer inventing names), a name is
 * simply not shared.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NAMES_MAX 4096
#define NAME_MAX_LEN 64

static PyObject *names; /* name -> the same name: the copy handed out */

/* `key`, or the shared copy of the same name (a new reference either way; NULL on error). */
static PyObject *
shared_name(PyObject *key)
{
    if (PyUnicode_GET_LENGTH(key) > NAME_MAX_LEN) {
        return key;
    }
    PyObject *known = PyDict_GetItemWithError(names, key);
    if (known != NULL) {
        Py_INCREF(known);
        Py_DECREF(key);
        return known;
    }
    if (PyErr_Occurred()) {
        Py_DECREF(key);
        return NULL;
    }
    if (PyDict_GET_SIZE(names) < NAMES_MAX && PyDict_SetItem(names, key, key) < 0) {
        Py_DECREF(key);
        return NULL;
    }
    return key;
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
    Py_ssize_t colon = -1;
    for (Py_ssize_t i = start; i < end; i++) {
        if (PyUnicode_READ(kind, data, i) == ':') {
            colon = i;
            break;
        }
    }
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
    PyObject *key = PyUnicode_Substring(text, start, colon);
    if (key == NULL || (key = shared_name(key)) == NULL) {
        return -1;
    }
    PyObject *val = PyUnicode_Substring(text, value, end);
    if (val == NULL) {
        Py_DECREF(key);
        return -1;
    }
    PyObject *pair = PyTuple_Pack(2, key, val);
    Py_DECREF(key);
    Py_DECREF(val);
    if (pair == NULL) {
        return -1;
    }
    int failed = PyList_Append(headers, pair);
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
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyUnicode_READ(kind, data, i) == '\n') {
            if (add_line(text, kind, data, start, i, 1, headers, loose) < 0) {
                goto fail;
            }
            start = i + 1;
        }
    }
    if (add_line(text, kind, data, start, n, 0, headers, loose) < 0) {
        goto fail;
    }
    PyObject *result = PyTuple_Pack(2, headers, loose);
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
    return PyLong_FromSsize_t(PyDict_GET_SIZE(names));
}

static PyMethodDef methods[] = {
    {"split_lines", split_lines, METH_O,
     "split_lines(text) -> (headers, loose): a packet's text as header pairs and loose lines."},
    {"names_kept", names_kept, METH_NOARGS,
     "names_kept() -> int: how many header names are shared (at most 4096)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_lines", "lines.py's split_lines in C (optional).", -1, methods,
};

PyMODINIT_FUNC
PyInit__lines(void)
{
    names = PyDict_New();
    if (names == NULL) {
        return NULL;
    }
    return PyModule_Create(&module);
}
