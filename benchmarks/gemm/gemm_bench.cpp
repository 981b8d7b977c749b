#include "nabla/kernels.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <random>
#include <algorithm>
#include <cmath>
extern "C" void cblas_sgemm(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
extern "C" void openblas_set_num_threads(int);
// benchmarks/gemm/gemm_bench.cpp: nabla_sgemm (dense, auto, sparse walks) and OpenBLAS (bundled
// 0.3.31) on the seed network's first-layer products X W and X^T dZ, X = real MNIST rows; checks
// nabla_sgemm against a double reference first on every instruction set. Built and run by run.sh.
// reference in double
static void ref(bool ta, bool tb, int m,int n,int k,float al,const float*a,int lda,const float*b,int ldb,float be,float*c,int ldc){
  for(int i=0;i<m;i++)for(int j=0;j<n;j++){double s=0;for(int p=0;p<k;p++){double av=ta?a[p*lda+i]:a[i*lda+p];double bv=tb?b[j*ldb+p]:b[p*ldb+j];s+=av*bv;}
   c[i*ldc+j]=(float)(al*s+(be!=0?be*c[i*ldc+j]:0));}
}
std::mt19937 rng(1);
std::vector<float> rnd(size_t n,double zero){std::uniform_real_distribution<float>u(-1,1);std::uniform_real_distribution<double>z(0,1);std::vector<float>v(n);for(auto&x:v)x=z(rng)<zero?0.f:u(rng);return v;}
int check(int isa){
  int bad=0;
  for(int it=0;it<400;it++){
    int m=1+rng()%70,n=1+rng()%150,k=rng()%90; bool ta=rng()%2,tb=rng()%2; float al=(rng()%3==0)?0.5f:1.f, be=(rng()%3==0)?(rng()%2?0.f:-0.7f):0.f;
    int mode=rng()%3; double zero=(rng()%2)?0.8:0.0;
    int lda=(ta?m:k)+rng()%3, ldb=(tb?k:n)+rng()%3, ldc=n+rng()%3;
    auto A=rnd((size_t)(ta?k:m)*lda+1,zero),B=rnd((size_t)(tb?n:k)*ldb+1,0),C=rnd((size_t)m*ldc,0),C2=C;
    nabla_sgemm(ta,tb,m,n,k,al,A.data(),lda,B.data(),ldb,be,C.data(),ldc,mode,isa);
    ref(ta,tb,m,n,k,al,A.data(),lda,B.data(),ldb,be,C2.data(),ldc);
    for(int i=0;i<m;i++)for(int j=0;j<ldc;j++){float x=C[i*ldc+j],y=C2[i*ldc+j]; if(j>=n){ if(x!=y){bad++;} continue;} if(std::fabs(x-y)>1e-5*(1+k)){ if(bad<5)printf("bad m%d n%d k%d ta%d tb%d mode%d (%d,%d) %g vs %g\n",m,n,k,ta,tb,mode,i,j,x,y); bad++;}}
    // modes identical
    auto C3=C2; auto C4=C2;
    nabla_sgemm(ta,tb,m,n,k,al,A.data(),lda,B.data(),ldb,0,C3.data(),ldc,1,isa);
    nabla_sgemm(ta,tb,m,n,k,al,A.data(),lda,B.data(),ldb,0,C4.data(),ldc,2,isa);
    for(size_t i=0;i<C3.size();i++) if(C3[i]!=C4[i]){ if(bad<5) printf("dense/sparse differ\n"); bad++;}
  }
  printf("check: %d bad\n",bad); return bad;
}
template<class F> double time_us(F f,int reps){ std::vector<double>t; for(int r=0;r<7;r++){auto t0=std::chrono::steady_clock::now(); for(int i=0;i<reps;i++) f(); auto t1=std::chrono::steady_clock::now(); t.push_back(std::chrono::duration<double,std::micro>(t1-t0).count()/reps);} std::sort(t.begin(),t.end()); return t[3];}
int main(int argc,char**argv){
  openblas_set_num_threads(1);
  for(int isa=1;isa<=3;isa++) if(check(isa)) return 1;
  // MNIST-like: load real density 0.19 using random with 81% zeros (not spatially correlated!)
  int isa=argc>1?atoi(argv[1]):0;
  for(int B: {32,128}){
    std::vector<float> X((size_t)B*784); { FILE*f=fopen(getenv("MNIST_TRAIN_IMAGES"),"rb"); std::vector<unsigned char> raw(16+60000*784); fread(raw.data(),1,raw.size(),f); fclose(f); size_t nz=0; for(int r=0;r<B;r++){ int s=rng()%60000; for(int p=0;p<784;p++){ X[r*784+p]=raw[16+(size_t)s*784+p]/255.f; nz+=X[r*784+p]!=0;} } printf("density %.3f\n", nz/(double)X.size()); }
    auto X0=rnd((size_t)B*784,0.81), W=rnd(784*128,0), Y=rnd((size_t)B*128,0), dZ=rnd((size_t)B*128,0), dW=rnd(784*128,0);
    double fl=2.0*B*784*128;
    auto fo=[&](int mode){return time_us([&]{nabla_sgemm(0,0,B,128,784,1,X.data(),784,W.data(),128,0,Y.data(),128,mode,isa);},200);};
    auto bo=[&](int mode){return time_us([&]{nabla_sgemm(1,0,784,128,B,1,X.data(),784,dZ.data(),128,0,dW.data(),128,mode,isa);},200);};
    double ob1=time_us([&]{cblas_sgemm(101,111,111,B,128,784,1,X.data(),784,W.data(),128,0,Y.data(),128);},200);
    double ob2=time_us([&]{cblas_sgemm(101,112,111,784,128,B,1,X.data(),784,dZ.data(),128,0,dW.data(),128);},200);
    double d1=fo(1),s1=fo(0),d2=bo(1),s2=bo(0);
    double sp1=fo(2), sp2=bo(2); printf("B=%d fwd XW: openblas %.1f us (%.0f GF/s) dense %.1f us (%.0f GF/s) auto %.1f us sparse %.1f\n",B,ob1,fl/ob1/1e3,d1,fl/d1/1e3,s1,sp1);
    printf("B=%d bwd XtdZ: openblas %.1f us (%.0f GF/s) dense %.1f us (%.0f GF/s) auto %.1f us sparse %.1f\n",B,ob2,fl/ob2/1e3,d2,fl/d2/1e3,s2,sp2);
  }
}
