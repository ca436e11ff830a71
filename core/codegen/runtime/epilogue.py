if __name__ == "__main__":
    sys.exit(main())
if __name__ == "__ramiel_worker__":  # a worker of mode="process", started by _ProcessRunner
    _process_worker_main(globals()["_RAMIEL_WORKER_ARGS"])
