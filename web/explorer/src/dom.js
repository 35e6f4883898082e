// The one DOM helper every module uses.
export const $ = (id) => document.getElementById(id);
