// ISO BMFF box walker: see issue [3/10]. Filled in by the HEIC/MOV work.
export {};
