/* amitui.store._callscan: scan() of callheaders.py in C, an optional speed-up.
 *
 * Call tracing reads every event, and looking at each of its ~16 headers in Python was over a
 * third of tracing's cost under a flood (bench/console.py). The rules are callheaders.py's
 * scan_py, and tests/store/test_callscan.py holds both versions to the same answers:
 *
 *   - a header with an empty value is skipped;
 *   - its kind and role come from `kinds` (name -> (kind, role)), else from calling
 *     `classify(name)`; kind 0 means no interest to tracing;
 *   - FIELD: the first value of each name is kept;
 *   - UID and LID: kept unless the value starts with '<' (`<null>`) or is `none` (a global
 *     variable's VarSet names no channel that way); a UID's first value in each role is the
 *     id of the channel in that role;
 *   - CHAN: the role-less one is also the `Channel` field (unless it is set already), and a
 *     Local channel's half (`Local/...;1` or `;2`) is noted as (role, base name, half);
 *   - any other kind is the bridge: the last value wins.
 *
 * Input that is not a tuple of (str, str) tuples, or a kind that is not (int, str), is
 * refused with TypeError. Nothing is kept between calls but the constant "Channel".
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { UID = 1, LID = 2, CHAN = 3, FIELD = 5 };

static PyObject *CHANNEL; /* "Channel", made once */

static int
starts_local(PyObject *value, Py_ssize_t n)
{
    static const char prefix[] = "Local/";
    if (n < 8) { /* "Local/" and ";1" cannot overlap: shorter is no half */
        return 0;
    }
    for (Py_ssize_t i = 0; i < 6; i++) {
        if (PyUnicode_READ_CHAR(value, i) != (Py_UCS4)prefix[i]) {
            return 0;
        }
    }
    return 1;
}

/* Append (role, base, half) to `locals` when `value` is a Local channel's half. */
static int
note_local(PyObject *locals, PyObject *role, PyObject *value)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    if (!starts_local(value, n)) {
        return 0;
    }
    Py_UCS4 semi = PyUnicode_READ_CHAR(value, n - 2);
    Py_UCS4 half = PyUnicode_READ_CHAR(value, n - 1);
    if (semi != ';' || (half != '1' && half != '2')) {
        return 0;
    }
    PyObject *base = PyUnicode_Substring(value, 0, n - 2);
    PyObject *which = PyUnicode_Substring(value, n - 1, n);
    PyObject *entry = (base && which) ? PyTuple_Pack(3, role, base, which) : NULL;
    Py_XDECREF(base);
    Py_XDECREF(which);
    if (entry == NULL) {
        return -1;
    }
    int failed = PyList_Append(locals, entry);
    Py_DECREF(entry);
    return failed;
}

static int
refuse(const char *what)
{
    PyErr_Format(PyExc_TypeError, "scan(): %s", what);
    return -1;
}

/* One header into the collections; 0, or -1 with an exception set. */
static int
take(PyObject *key, PyObject *value, PyObject *kinds, PyObject *classify, PyObject *ids,
     PyObject *links, PyObject *fields, PyObject *uid_of, PyObject *locals, PyObject **bridge)
{
    if (!PyUnicode_Check(key) || !PyUnicode_Check(value)) {
        return refuse("a header is not two str");
    }
    if (PyUnicode_GET_LENGTH(value) == 0) {
        return 0;
    }
    PyObject *info = PyDict_GetItemWithError(kinds, key); /* borrowed */
    if (info != NULL) {
        Py_INCREF(info);
    } else if (PyErr_Occurred() || (info = PyObject_CallOneArg(classify, key)) == NULL) {
        return -1;
    }
    int failed = 0;
    if (!PyTuple_Check(info) || PyTuple_GET_SIZE(info) != 2 ||
        !PyLong_Check(PyTuple_GET_ITEM(info, 0)) || !PyUnicode_Check(PyTuple_GET_ITEM(info, 1))) {
        failed = refuse("a kind is not (int, str)");
        goto done;
    }
    long kind = PyLong_AsLong(PyTuple_GET_ITEM(info, 0));
    PyObject *role = PyTuple_GET_ITEM(info, 1);
    if (kind == -1 && PyErr_Occurred()) {
        failed = -1;
    } else if (kind == 0) {
        /* of no interest */
    } else if (kind == FIELD) {
        failed = PyDict_SetDefault(fields, key, value) == NULL ? -1 : 0;
    } else if (kind == UID || kind == LID) {
        if (PyUnicode_READ_CHAR(value, 0) != '<'
            && PyUnicode_CompareWithASCIIString(value, "none") != 0) {
            failed = PyList_Append(kind == UID ? ids : links, value);
            if (!failed && kind == UID) {
                failed = PyDict_SetDefault(uid_of, role, value) == NULL ? -1 : 0;
            }
        }
    } else if (kind == CHAN) {
        if (PyUnicode_GET_LENGTH(role) == 0) {
            failed = PyDict_SetDefault(fields, CHANNEL, value) == NULL ? -1 : 0;
        }
        if (!failed) {
            failed = note_local(locals, role, value);
        }
    } else {
        Py_INCREF(value);
        Py_SETREF(*bridge, value);
    }
done:
    Py_DECREF(info);
    return failed;
}

static PyObject *
scan(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "scan(headers, kinds, classify)");
        return NULL;
    }
    PyObject *headers = args[0], *kinds = args[1], *classify = args[2];
    if (!PyTuple_Check(headers) || !PyDict_Check(kinds)) {
        PyErr_SetString(PyExc_TypeError, "scan() takes a tuple of headers and a dict of kinds");
        return NULL;
    }
    PyObject *ids = PyList_New(0), *links = PyList_New(0), *fields = PyDict_New();
    PyObject *uid_of = PyDict_New(), *locals = PyList_New(0), *bridge = Py_NewRef(Py_None);
    PyObject *result = NULL;
    if (!ids || !links || !fields || !uid_of || !locals) {
        goto out;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(headers);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pair = PyTuple_GET_ITEM(headers, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            refuse("a header is not a pair");
            goto out;
        }
        if (take(PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1), kinds, classify, ids,
                 links, fields, uid_of, locals, &bridge) < 0) {
            goto out;
        }
    }
    result = PyTuple_Pack(6, ids, links, fields, uid_of, locals, bridge);
out:
    Py_XDECREF(ids);
    Py_XDECREF(links);
    Py_XDECREF(fields);
    Py_XDECREF(uid_of);
    Py_XDECREF(locals);
    Py_XDECREF(bridge);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL,
     "scan(headers, kinds, classify) -> (uniqueids, linkedids, fields, uid_of, locals, bridge)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_callscan", "callheaders.py's scan in C (optional).", -1, methods,
};

PyMODINIT_FUNC
PyInit__callscan(void)
{
    if (CHANNEL == NULL && (CHANNEL = PyUnicode_InternFromString("Channel")) == NULL) {
        return NULL;
    }
    return PyModule_Create(&module);
}
