/* amitui.store._untrack: take stored events out of the cyclic garbage collector's lists.
 *
 * Every stored event is two objects of Python classes (a StoredEvent and its Frame), and the
 * collector walks every such object at each full collection: with 100,000 events stored that
 * was 200,000 of the console's 290,000 tracked objects and most of a 200-400 ms pause
 * (bench/console.py). The collector exists to free reference cycles, and a stored event cannot
 * be part of one: it refers only to bytes, str, numbers, an enum member, and tuples and dicts
 * of str (tests/store/test_untrack.py walks them to hold that true). Reference counting frees
 * it when the ring lets it go, tracked or not. CPython does the same for its own tuples and
 * dicts that hold only such values.
 *
 * untrack(objects) takes a list; each item the collector follows is dropped from its lists.
 * The caller promises the invariant above for every item.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
untrack(PyObject *self, PyObject *objects)
{
    if (!PyList_Check(objects)) {
        PyErr_SetString(PyExc_TypeError, "untrack() takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(objects);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(objects, i);
        if (PyObject_IS_GC(item)) {
            PyObject_GC_UnTrack(item); /* a no-op when it is not tracked */
        }
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"untrack", untrack, METH_O,
     "untrack(objects): drop each object of a list from the cyclic collector's lists."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_untrack", "Stored events out of the cyclic collector (optional).",
    -1, methods,
};

PyMODINIT_FUNC
PyInit__untrack(void)
{
    return PyModule_Create(&module);
}
