"""The tiny-LM experiment: the barista task, a transformer teacher, top-k capture, the offline kd_trainer."""
