milter_DEPS := session quota policy config core
milter_LIBS := -lmilter -lpthread
