# Renders time_to_psnr.png from time_to_psnr.dat. Run in this directory: gnuplot time_to_psnr.gp
# (if your gnuplot lacks the pngcairo terminal, replace it by png)
if (!exists("outfile")) outfile = "time_to_psnr.png"
set terminal pngcairo size 1000,600
set output outfile
set title "Test PSNR against wall-clock seconds (evaluation excluded)" noenhanced
set xlabel "seconds (log scale)" noenhanced
set ylabel "test PSNR (dB)" noenhanced
set grid
set key outside right top noenhanced
set logscale x
plot "time_to_psnr.dat" index 0 using 1:2 with linespoints pt 7 ps 0.5 lc rgb "#1f77b4" dt 1 title "posenc_gaussian2_mlp", \
     "time_to_psnr.dat" index 1 using 1:2 with points pt 7 ps 0.5 lc rgb "#d62728" dt 1 title "posenc_kronecker_closed_form", \
     "time_to_psnr.dat" index 2 using 1:2 with linespoints pt 7 ps 0.5 lc rgb "#2ca02c" dt 1 title "posenc_hashgrid", \
     "time_to_psnr.dat" index 3 using 1:2 with linespoints pt 7 ps 0.5 lc rgb "#ff7f0e" dt 1 title "posenc_densegrid", \
     "time_to_psnr.dat" index 4 using 1:2 with linespoints pt 7 ps 0.5 lc rgb "#9467bd" dt 1 title "pytorch_gaussian2_mlp", \
     "time_to_psnr.dat" index 5 using 1:2 with linespoints pt 7 ps 0.5 lc rgb "#8c564b" dt 1 title "pytorch_hashgrid"
unset output
