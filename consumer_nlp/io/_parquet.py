"""Parquet archives, read a record batch at a time with Arrow types kept."""
import pandas as pd

from ._archive import ArchiveReader, Chunk, check_header


class ParquetReader(ArchiveReader):
    """Parquet record batches, with every column keeping its Arrow type."""

    def chunks(self):
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(self.path)
        self.total = parquet.metadata.num_rows
        self.columns = check_header(parquet.schema_arrow.names, self.path)
        done = 0
        batches = parquet.iter_batches(batch_size=self.rows_per_chunk())
        for index, batch in enumerate(batches):
            where = [f"row {n}" for n in range(done + 1, done + batch.num_rows + 1)]
            done += batch.num_rows
            # Without pandas' metadata: an index pandas stored becomes a column again, as the header says.
            yield Chunk(index, batch.to_pandas(types_mapper=pd.ArrowDtype, ignore_metadata=True), [], done, 0,
                        where)
        if done == 0:
            empty = parquet.schema_arrow.empty_table().to_pandas(types_mapper=pd.ArrowDtype, ignore_metadata=True)
            yield Chunk(0, empty, [], 0)
