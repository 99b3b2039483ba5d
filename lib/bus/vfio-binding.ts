/** native/binding/vfio.cc: filled in by the VFIO backend. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface VfioBinding {}
