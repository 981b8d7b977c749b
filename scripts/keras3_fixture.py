# Writes src/test/resources/dev/nabla/keras/keras3_sequential.keras and _io.json (KerasFilesTest):
# a Keras 3 Sequential of the layers Nabla reads, trained 2 epochs with Adam, its predictions and
# its weights after one more train_on_batch. Run: KERAS_BACKEND=jax python keras3_fixture.py
# (in the resource folder; written with Keras 3.15.1, jax backend).
import os, json
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
rng = np.random.default_rng(5)
x = rng.normal(size=(64, 12)).astype("float32")
y = rng.integers(0, 10, size=(64,)).astype("float32")
keras.utils.set_random_seed(1)
model = keras.Sequential([
    keras.Input((12,)),
    keras.layers.Dense(16, activation="swish"),
    keras.layers.ELU(alpha=0.7),
    keras.layers.LeakyReLU(negative_slope=0.25),
    keras.layers.Dropout(0.0),  # 0: the step below is compared with Nabla's (masks differ)
    keras.layers.Dense(8, activation="selu"),
    keras.layers.ReLU(max_value=6.0),
    keras.layers.Dense(10),
    keras.layers.Softmax(),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
model.save("keras3_sequential.keras")
pred = model.predict(x, verbose=0)
model.train_on_batch(x[:16], y[:16])
after = [w.numpy().ravel().tolist() for w in model.weights]
json.dump({"keras_version": keras.__version__, "x": x.ravel().tolist(), "y": y.tolist(), "predictions": pred.ravel().tolist(),
           "weights_after_one_step": after, "iterations_after": int(model.optimizer.iterations.numpy())}, open("keras3_sequential_io.json", "w"))
print(keras.__version__, pred.shape, int(model.optimizer.iterations.numpy()))
model_h5 = keras.models.load_model("keras3_sequential.keras")
model_h5.save("keras3_sequential.h5")  # the legacy .h5 Keras 3 still writes, optimizer included
