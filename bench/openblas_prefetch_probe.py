import numpy as np, time, sys, ctypes
m,k,n=256,784,256
a=np.random.rand(m,k).astype(np.float32); b=np.random.rand(k,n).astype(np.float32); c=np.empty((m,n),np.float32)
np.matmul(a,b,out=c)
lo=[int(l.split()[0].split('-')[0],16) for l in open('/proc/self/maps') if len(l.split())==5 and (lambda r:int(r[1],16)-int(r[0],16))(l.split()[0].split('-'))==32<<20][0]
def t():
    s=time.perf_counter()
    for _ in range(30): np.matmul(a,b,out=c)
    return 2*m*k*n/((time.perf_counter()-s)/30)/1e9
s0=t()
a0,a1=int(sys.argv[1])*1024,int(sys.argv[2])*1024
ctypes.memset(lo+a0, 0, a1-a0)
print(f"slow {s0:.1f} write [{sys.argv[1]},{sys.argv[2]}) KB -> {t():.1f}")
