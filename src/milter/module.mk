milter_DEPS := session policy config core
milter_LIBS := -lmilter -lpthread
