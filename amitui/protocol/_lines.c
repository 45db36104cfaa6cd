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
 * Only the str API of the limited set below is used, on any string kind; nothing here keeps
 * state between calls.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

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
    if (key == NULL) {
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

static PyMethodDef methods[] = {
    {"split_lines", split_lines, METH_O,
     "split_lines(text) -> (headers, loose): a packet's text as header pairs and loose lines."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_lines", "lines.py's split_lines in C (optional).", -1, methods,
};

PyMODINIT_FUNC
PyInit__lines(void)
{
    return PyModule_Create(&module);
}
