/* amitui.store._catalog: the event catalog's count of one event's headers in C, an optional
 * speed-up, with the HeaderStats it counts into.
 *
 * The catalog looks at every header of every event; in Python that was an eighth of the
 * console's time under a flood (bench/console.py). The rules are catalog_observe.py's
 * count_py, and tests/store/test_catalog_speedup.py holds both versions to the same answers:
 *
 *   - headers[start:] are counted into `stats` (name -> HeaderStats), for event `event`;
 *   - a name not in `stats` gets new(name, event) when `stats` has fewer than max_headers,
 *     else it is counted as dropped (the return value);
 *   - a header counts once per event (`serial` tells events apart); a second one in the same
 *     event counts as repeated;
 *   - while a header has fewer than max_samples samples, its value is one (a secret's is
 *     `redacted`; a value longer than max_len is cut to max_len - 1 characters and "…"),
 *     unless it is one already.
 *
 * `rules` is (max_headers, max_samples, max_len, redacted, new). Anything else is refused
 * with TypeError. Nothing is kept between calls but the constant "…".
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

typedef struct {
    PyObject_HEAD
    PyObject *name;
    PyObject *samples; /* list of str: distinct values, first seen first */
    Py_ssize_t count;    /* events that carried it */
    Py_ssize_t repeated; /* events that carried it more than once */
    Py_ssize_t last;     /* serial of the last event that carried it */
    char secret;         /* masked by role */
} Stats;

static PyTypeObject StatsType;
static PyObject *ELLIPSIS; /* "…", made once */

static PyObject *
stats_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"name", "secret", NULL};
    PyObject *name;
    int secret = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|p", keywords, &name, &secret)) {
        return NULL;
    }
    Stats *self = (Stats *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->samples = PyList_New(0);
    if (self->samples == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    Py_INCREF(name);
    self->name = name;
    self->secret = (char)secret;
    return (PyObject *)self;
}

static void
stats_dealloc(Stats *self)
{
    Py_XDECREF(self->name);
    Py_XDECREF(self->samples);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
stats_repr(Stats *self)
{
    return PyUnicode_FromFormat("HeaderStats(%R, count=%zd)", self->name, self->count);
}

static PyMemberDef stats_members[] = {
    {"name", T_OBJECT_EX, offsetof(Stats, name), READONLY, "the header's name, as on the wire"},
    {"samples", T_OBJECT_EX, offsetof(Stats, samples), READONLY, "distinct values seen"},
    {"count", T_PYSSIZET, offsetof(Stats, count), READONLY, "events that carried it"},
    {"repeated", T_PYSSIZET, offsetof(Stats, repeated), READONLY, "events with it twice"},
    {"last", T_PYSSIZET, offsetof(Stats, last), READONLY, "the last event's serial"},
    {"secret", T_BOOL, offsetof(Stats, secret), READONLY, "masked by role"},
    {NULL},
};

static PyTypeObject StatsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "amitui.store._catalog.HeaderStats",
    .tp_doc = "HeaderStats(name, secret=False): one header of one event type, as counted.",
    .tp_basicsize = sizeof(Stats),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = stats_new,
    .tp_dealloc = (destructor)stats_dealloc,
    .tp_repr = (reprfunc)stats_repr,
    .tp_members = stats_members,
};

static PyObject *
refuse(const char *why)
{
    PyErr_SetString(PyExc_TypeError, why);
    return NULL;
}

/* One sample of `value` (a new reference), cut to max_len characters. */
static PyObject *
sample_of(PyObject *value, Py_ssize_t max_len)
{
    if (PyUnicode_GET_LENGTH(value) <= max_len) {
        Py_INCREF(value);
        return value;
    }
    PyObject *head = PyUnicode_Substring(value, 0, max_len > 0 ? max_len - 1 : 0);
    if (head == NULL) {
        return NULL;
    }
    PyObject *cut = PyUnicode_Concat(head, ELLIPSIS);
    Py_DECREF(head);
    return cut;
}

static int
take_sample(Stats *stats, PyObject *value, Py_ssize_t max_len, PyObject *redacted)
{
    PyObject *sample = stats->secret ? (Py_INCREF(redacted), redacted) : sample_of(value, max_len);
    if (sample == NULL) {
        return -1;
    }
    int known = PySequence_Contains(stats->samples, sample);
    int failed = known < 0 || (!known && PyList_Append(stats->samples, sample) < 0);
    Py_DECREF(sample);
    return failed ? -1 : 0;
}

static PyObject *
count(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        return refuse("count(stats, headers, start, serial, event, rules)");
    }
    PyObject *stats_by_name = args[0], *headers = args[1], *event = args[4], *rules = args[5];
    if (!PyDict_Check(stats_by_name) || !PyTuple_Check(headers) || !PyUnicode_Check(event)) {
        return refuse("count() wants a dict, a tuple of headers and the event's name");
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[2]);
    Py_ssize_t serial = PyLong_AsSsize_t(args[3]);
    if ((start == -1 || serial == -1) && PyErr_Occurred()) {
        return NULL;
    }
    if (!PyTuple_Check(rules) || PyTuple_GET_SIZE(rules) != 5) {
        return refuse("rules: (max_headers, max_samples, max_len, redacted, new)");
    }
    Py_ssize_t max_headers = PyLong_AsSsize_t(PyTuple_GET_ITEM(rules, 0));
    Py_ssize_t max_samples = PyLong_AsSsize_t(PyTuple_GET_ITEM(rules, 1));
    Py_ssize_t max_len = PyLong_AsSsize_t(PyTuple_GET_ITEM(rules, 2));
    PyObject *redacted = PyTuple_GET_ITEM(rules, 3), *new = PyTuple_GET_ITEM(rules, 4);
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (!PyUnicode_Check(redacted)) {
        return refuse("rules: redacted is not a str");
    }
    Py_ssize_t dropped = 0;
    for (Py_ssize_t i = start < 0 ? 0 : start; i < PyTuple_GET_SIZE(headers); i++) {
        PyObject *pair = PyTuple_GET_ITEM(headers, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2
            || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0))
            || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 1))) {
            return refuse("a header is not a (str, str) pair");
        }
        PyObject *key = PyTuple_GET_ITEM(pair, 0), *value = PyTuple_GET_ITEM(pair, 1);
        PyObject *found = PyDict_GetItemWithError(stats_by_name, key); /* borrowed */
        if (found == NULL) {
            if (PyErr_Occurred()) {
                return NULL;
            }
            if (PyDict_GET_SIZE(stats_by_name) >= max_headers) {
                dropped++;
                continue;
            }
            PyObject *made = PyObject_CallFunctionObjArgs(new, key, event, NULL);
            if (made == NULL) {
                return NULL;
            }
            if (!Py_IS_TYPE(made, &StatsType)) {
                Py_DECREF(made);
                return refuse("new() did not make a HeaderStats");
            }
            int failed = PyDict_SetItem(stats_by_name, key, made);
            Py_DECREF(made); /* the dict holds it */
            if (failed < 0) {
                return NULL;
            }
            found = made;
        }
        else if (!Py_IS_TYPE(found, &StatsType)) {
            return refuse("stats holds something other than a HeaderStats");
        }
        Stats *stats = (Stats *)found;
        if (stats->last == serial) {
            stats->repeated++;
        }
        else {
            stats->last = serial;
            stats->count++;
        }
        if (PyList_GET_SIZE(stats->samples) < max_samples
            && take_sample(stats, value, max_len, redacted) < 0) {
            return NULL;
        }
    }
    return PyLong_FromSsize_t(dropped);
}

static PyMethodDef methods[] = {
    {"count", (PyCFunction)(void (*)(void))count, METH_FASTCALL,
     "count(stats, headers, start, serial, event, rules) -> headers dropped"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_catalog", "catalog_observe.py's header count in C (optional).", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__catalog(void)
{
    if (ELLIPSIS == NULL && (ELLIPSIS = PyUnicode_FromString("\xe2\x80\xa6")) == NULL) {
        return NULL;
    }
    if (PyType_Ready(&StatsType) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&StatsType);
    if (PyModule_AddObject(m, "HeaderStats", (PyObject *)&StatsType) < 0) {
        Py_DECREF(&StatsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
